from agreement.current import current_agreement

from .roles import role_label


def site(request):
    """What the header of every page shows: the user's role and the agreement's period."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_agreement": current_agreement(request),
        "user_role": role_label(user),
    }
