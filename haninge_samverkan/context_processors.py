from agreement.current import current_agreement
from measures.roles import administrators, has_role, role_label


def site(request):
    """What the header of every page shows: the user's role and the agreement's period."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_agreement": current_agreement(request),
        "user_role": role_label(user),
        "user_has_role": has_role(user),
        # Called by a template only when it lists them (a user without a role).
        "administrators": administrators,
    }
