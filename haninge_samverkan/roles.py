"""The app's roles. Each party's role is a Django group, created by a migration."""

from django.utils.translation import gettext_lazy as _

MUNICIPAL_STAFF = "Kommunens handläggare"
POLICE_LIAISON = "Polisens kontaktperson"


def role_label(user):
    """The role shown in the header, in Swedish."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser or user.is_staff:
        return _("Administrator")
    names = {group.name for group in user.groups.all()}
    if MUNICIPAL_STAFF in names:
        return MUNICIPAL_STAFF
    if POLICE_LIAISON in names:
        return POLICE_LIAISON
    return _("No role")
