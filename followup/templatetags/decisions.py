"""The steering group's decisions where the work is: on the overview and on a
measure's page. A template tag, so that the measures app needs nothing of
followup: the pages load it, the code does not import it."""

from django import template
from django.utils import timezone

from followup.models import Decision

register = template.Library()


@register.simple_tag
def overdue_decisions(agreement):
    """Open decisions of the agreement's meetings whose due date has passed."""
    return list(
        Decision.objects.overdue(timezone.localdate())
        .filter(meeting__agreement=agreement)
        .select_related("meeting", "owner", "measure")
        .order_by("due_on", "pk")
    )


@register.simple_tag
def decisions_about(measure):
    """The decisions that concern a measure, open ones first."""
    return list(
        Decision.objects.filter(measure=measure)
        .select_related("meeting", "owner")
        .order_by("-status", "due_on", "pk")
    )
