import functools

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from measures.freshness import current_agreement
from measures.roles import administrators, has_role, role_label

# The main navigation: (URL name, label, whether the link is current on the
# pages below it too, the permission it needs).
NAVIGATION = (
    ("measures:overview", _("Overview"), False, None),
    ("measures:list", _("Measures"), False, None),
    ("measures:review_queue", _("Reviews"), False, "measures.add_review"),
    ("measures:situation", _("Situation report"), True, None),
    ("measures:indicators", _("Indicators"), True, None),
    ("measures:promises", _("Citizen promises"), True, None),
    ("followup:periods", pgettext_lazy("navigation", "Periods"), True, None),
    ("followup:report", pgettext_lazy("navigation", "Report"), False, None),
    ("followup:meetings", _("Meetings"), True, None),
    ("measures:agreement", _("The agreement"), False, None),
)


@functools.cache
def _url(name):
    # The links never change while the app runs: reversed once per process.
    return reverse(name)


def navigation(request, user):
    """The main navigation's links for `user`, the current one marked."""
    links = []
    for name, label, covers_below, permission in NAVIGATION:
        if permission and not user.has_perm(permission):
            continue
        url = _url(name)
        current = request.path.startswith(url) if covers_below else request.path == url
        links.append({"url": url, "label": label, "current": current})
    if user.is_staff:
        links.append({"url": _url("admin:index"), "label": _("Administration"), "current": False})
    return links


def site(request):
    """What the header of every page shows: the user's role and the agreement's
    period, and the main navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_agreement": current_agreement(request),
        "user_role": role_label(user),
        "user_has_role": has_role(user),
        # Made once, when the header first lists it.
        "nav_links": SimpleLazyObject(lambda: navigation(request, user)),
        # Called by a template only when it lists them (a user without a role).
        "administrators": administrators,
    }
