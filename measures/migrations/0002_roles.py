"""The two roles of PRODUCT.md as groups with their permissions.

Administrators are Django staff users and need no group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MUNICIPAL_STAFF = "Kommunens handläggare"
POLICE_LIAISON = "Polisens kontaktperson"

READ = [
    "agreement.view_agreement",
    "agreement.view_focusarea",
    "agreement.view_area",
    "measures.view_measure",
    "measures.view_progressupdate",
    "measures.view_review",
]

PERMISSIONS = {
    MUNICIPAL_STAFF: [
        *READ,
        "measures.add_measure",
        "measures.change_measure",
        "measures.archive_measure",
        "measures.add_progressupdate",
    ],
    # The police post updates only where the measure is theirs or joint; the
    # views check that per measure.
    POLICE_LIAISON: [*READ, "measures.add_progressupdate", "measures.add_review"],
}


def assign_permissions(apps):
    """Create the groups and give each exactly its permissions (idempotent)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_initial"),
        ("agreement", "0002_haninge_agreement"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
