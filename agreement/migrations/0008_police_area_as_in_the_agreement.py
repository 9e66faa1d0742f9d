"""The police area written as the agreement writes it, in lower case: it is
shown mid-sentence ("Haninge kommun och lokalpolisområde Haninge/Nynäshamn")."""

from django.db import migrations


def lower_first(apps, schema_editor):
    Agreement = apps.get_model("agreement", "Agreement")
    for agreement in Agreement.objects.filter(police_area__startswith="Lokalpolisområde "):
        agreement.police_area = "l" + agreement.police_area[1:]
        agreement.save(update_fields=["police_area"])


class Migration(migrations.Migration):
    dependencies = [("agreement", "0007_lagesbild_indicators_promises")]

    operations = [migrations.RunPython(lower_first, migrations.RunPython.noop)]
