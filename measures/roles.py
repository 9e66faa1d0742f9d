"""The app's roles and how people are shown.

Each party's role is a Django group, created by a migration; administrators
are Django staff users. Everything that asks "who may do this?" or "what is
this person called?" asks here.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MUNICIPAL_STAFF = "Kommunens handläggare"
POLICE_LIAISON = "Polisens kontaktperson"
ROLE_GROUPS = [MUNICIPAL_STAFF, POLICE_LIAISON]


def person_name(user):
    """A person as every page names them: the full name, else the user name.

    A person who was removed shows as such rather than breaking the page, and
    one who was deactivated is marked so readers know not to write to them.
    """
    if user is None:
        return gettext("removed user")
    name = user.get_full_name() or user.get_username()
    if not user.is_active:
        return gettext("%(name)s (inactive)") % {"name": name}
    return name


def person_choice_label(user):
    """A person in a select of contact persons: also marked when they have no role."""
    in_role = getattr(user, "in_role", None)
    if in_role is None:
        in_role = has_role(user)
    if user.is_active and not (in_role or user.is_staff):
        return gettext("%(name)s (no role)") % {"name": person_name(user)}
    return person_name(user)


def _group_names(user):
    """The user's groups, asked once per request (the user object is the request's)."""
    if not hasattr(user, "_group_names"):
        user._group_names = set(user.groups.values_list("name", flat=True))
    return user._group_names


def has_role(user):
    """Whether the user may use the app at all: a role group or staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(_group_names(user) & set(ROLE_GROUPS))


def role_label(user):
    """The role shown in the header, in Swedish."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser or user.is_staff:
        return _("Administrator")
    for name in ROLE_GROUPS:
        if name in _group_names(user):
            return name
    return _("No role")


def people_in_roles(*, keep=None, owners=False):
    """Who can be named as contact person: active role holders and staff.

    `keep` adds the person already named (by id) even if they have left or
    lost their role, so that saving a form unchanged never drops them;
    `owners` adds everyone who is contact person for a measure, for filters.
    """
    User = get_user_model()
    in_role = Exists(
        User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=ROLE_GROUPS)
    )
    eligible = Q(is_active=True) & (Q(in_role=True) | Q(is_staff=True))
    if keep:
        eligible |= Q(pk=keep)
    if owners:
        eligible |= Q(pk__in=User.objects.filter(owned_measures__isnull=False).values("pk"))
    return (
        User.objects.annotate(in_role=in_role)
        .filter(eligible)
        .order_by("first_name", "last_name", "username")
    )


def administrators():
    """Whom a user without a role asks: the active administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .order_by("first_name", "last_name", "username")
    )


def user_may_report(user, measure):
    """Municipal staff report on every measure; police liaisons where the
    responsible party is the police or both."""
    if not user.has_perm("measures.add_progressupdate"):
        return False
    return user.has_perm("measures.change_measure") or measure.police_may_report()
