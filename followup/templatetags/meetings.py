"""The steering group's latest frozen minutes, for the agreement's page. A
template tag, so that the measures app needs nothing of followup."""

from django import template

from followup.models import Meeting

register = template.Library()


@register.simple_tag
def latest_frozen_meeting(agreement):
    """The agreement's most recent meeting whose minutes are frozen, or None."""
    return (
        Meeting.objects.frozen()
        .filter(agreement=agreement)
        .select_related("period", "frozen_by")
        .order_by("-held_on", "-frozen_at", "-pk")
        .first()
    )
