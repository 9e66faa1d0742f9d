"""The Haninge agreement of 2025, its four focus areas and the districts of Haninge.

Text from the agreement as published by the municipality on 2025-02-13.
"""

import datetime

from django.db import migrations

AGREEMENT = {
    "slug": "haninge-2025",
    "title": (
        "Samverkansöverenskommelse mellan Haninge kommun och lokalpolisområde Haninge/Nynäshamn"
    ),
    "municipality": "Haninge kommun",
    "police_area": "lokalpolisområde Haninge/Nynäshamn",
    "signed_on": datetime.date(2025, 2, 11),
    "valid_from": datetime.date(2025, 2, 11),
    "valid_until": datetime.date(2027, 12, 31),
    "goal": (
        "Det gemensamma målet med samverkan är att Haninge ska vara en trygg och "
        "säker plats för alla som bor och verkar i eller besöker kommunen."
    ),
}

FOCUS_AREAS = [
    (
        "barn-och-unga",
        "Barn och unga",
        "Samverkan kring barn och unga som är kriminella eller riskerar att utveckla "
        "en kriminell livsstil.",
    ),
    (
        "offentlig-miljo",
        "Offentlig miljö",
        "Samverkan kring trygghetsskapande åtgärder i den offentliga miljön samt trygga "
        "och säkra trafikmiljöer. Här är också det uppsökande arbetet viktigt, med fler "
        "närvarande vuxna i den offentliga miljön.",
    ),
    (
        "hemmiljo",
        "Hemmiljö",
        "Fokusområdet handlar om samverkan för att motverka brott mot äldre samt brott "
        "i nära relation.",
    ),
    (
        "samhallsniva",
        "Samhällsnivå",
        "Inom detta område fokuseras på ett lokalt brottsförebyggande arbete i de "
        "områden som polisen identifierat som utsatta områden samt samverkan för att "
        "motverka den kriminella ekonomin.",
    ),
]

# (slug, name, police-designated vulnerable area)
AREAS = [
    ("handen", "Handen", False),
    ("vega", "Vega", False),
    ("jordbro", "Jordbro", True),
    ("brandbergen", "Brandbergen", True),
    ("vendelso", "Vendelsö", False),
    ("gudo", "Gudö", False),
    ("vasterhaninge", "Västerhaninge", False),
    ("tungelsta", "Tungelsta", False),
    ("dalaro", "Dalarö", False),
    ("skargarden", "Skärgården", False),
]


def create(apps, schema_editor):
    Agreement = apps.get_model("agreement", "Agreement")
    FocusArea = apps.get_model("agreement", "FocusArea")
    Area = apps.get_model("agreement", "Area")

    fields = dict(AGREEMENT)
    agreement, _ = Agreement.objects.get_or_create(slug=fields.pop("slug"), defaults=fields)
    for position, (slug, name, description) in enumerate(FOCUS_AREAS, start=1):
        FocusArea.objects.get_or_create(
            agreement=agreement,
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )
    for slug, name, vulnerable in AREAS:
        Area.objects.get_or_create(slug=slug, defaults={"name": name, "is_vulnerable": vulnerable})


def remove(apps, schema_editor):
    apps.get_model("agreement", "Agreement").objects.filter(slug=AGREEMENT["slug"]).delete()
    apps.get_model("agreement", "Area").objects.filter(slug__in=[a[0] for a in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("agreement", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
