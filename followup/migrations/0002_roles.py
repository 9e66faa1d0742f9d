"""Both roles follow up the agreement together: they read the reporting
periods, and they hold meetings and record decisions. Reopening a closed
period (agreement.change_reportingperiod) stays with the administrators."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MUNICIPAL_STAFF = "Kommunens handläggare"
POLICE_LIAISON = "Polisens kontaktperson"

FOLLOW_UP = [
    "agreement.view_reportingperiod",
    "followup.view_meeting",
    "followup.add_meeting",
    "followup.change_meeting",
    "followup.view_decision",
    "followup.add_decision",
    "followup.change_decision",
]


def assign_permissions(apps):
    """Add the follow-up permissions to both groups (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in (code.split(".") for code in FOLLOW_UP)
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
    codes = [code.split(".")[1] for code in FOLLOW_UP]
    for group in Group.objects.filter(name__in=[MUNICIPAL_STAFF, POLICE_LIAISON]):
        group.permissions.remove(*Permission.objects.filter(codename__in=codes))


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_initial"),
        ("agreement", "0005_haninge_tertials"),
        ("measures", "0002_roles"),
    ]

    operations = [migrations.RunPython(create, remove)]
