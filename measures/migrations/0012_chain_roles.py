"""Both roles read the law's chain (the situation report and its problems,
the indicators and their values, the citizen promises) and both enter
indicator values: the police bring the safety survey and reported crime, the
municipality its own surveys.

Everything else of the chain stays with the administrators: the situation
report and the citizen promises are documents the parties decided, and the
app shows them as decided. An indicator's baseline and target are part of
the action plan, and a value entered wrongly is corrected by an
administrator, so that nobody moves a figure the steering group has seen."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MUNICIPAL_STAFF = "Kommunens handläggare"
POLICE_LIAISON = "Polisens kontaktperson"

CHAIN = [
    "agreement.view_situationreport",
    "agreement.view_problem",
    "agreement.view_indicator",
    "agreement.view_indicatorvalue",
    "agreement.add_indicatorvalue",
    "agreement.view_citizenpromise",
]


def assign_permissions(apps):
    """Add the chain's permissions to both groups (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in (code.split(".") for code in CHAIN)
    ]
    for name in (MUNICIPAL_STAFF, POLICE_LIAISON):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def create(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def remove(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=[MUNICIPAL_STAFF, POLICE_LIAISON]):
        for code in CHAIN:
            app_label, codename = code.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0011_problems_indicators_promises"),
        ("agreement", "0007_lagesbild_indicators_promises"),
        ("measures", "0002_roles"),
    ]

    operations = [migrations.RunPython(create, remove)]
