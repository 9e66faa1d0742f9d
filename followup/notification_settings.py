"""Each person's choice of reminders at /accounts/notifications/: the form
and its view, beside the other account pages rather than the follow-up's."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .models import NotificationKind, NotificationOptOut

# When each reminder comes, shown under its checkbox.
KIND_HELP = {
    NotificationKind.DIGEST: gettext_lazy(
        "On Mondays, when measures you are contact person for are flagged."
    ),
    NotificationKind.REPORT_DUE: gettext_lazy(
        "A week before a reporting period's deadline and on the day, when a measure of "
        "yours still lacks a progress update for the period."
    ),
    NotificationKind.REVIEW_WAITING: gettext_lazy(
        "When progress updates have waited for review for more than three days."
    ),
    NotificationKind.NEEDS_CHANGES: gettext_lazy(
        "When a reviewer asks for changes to your report."
    ),
    NotificationKind.DECISION_DUE: gettext_lazy(
        "When a steering-group decision you are responsible for is past its due date."
    ),
}


class NotificationSettingsForm(forms.Form):
    """One checkbox per kind of reminder; ticked means the person gets it."""

    def __init__(self, *args, kinds, kinds_off, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=NotificationKind(kind).label,
                help_text=KIND_HELP[kind],
                required=False,
                initial=kind not in kinds_off,
            )

    def kinds_off(self):
        return {kind for kind, wanted in self.cleaned_data.items() if not wanted}


def _kinds_for(user):
    """The reminders that can reach this person: review reminders go to
    reviewers only."""
    kinds = list(NotificationKind.values)
    if not user.has_perm("measures.add_review"):
        kinds.remove(NotificationKind.REVIEW_WAITING)
    return kinds


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    user = request.user
    kinds = _kinds_for(user)
    kinds_off = NotificationOptOut.objects.kinds_off(user)
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, kinds=kinds, kinds_off=kinds_off)
    if form.is_valid():
        # Kinds not offered on the form (a reviewer's, for someone who lost
        # the role) keep the choice made before.
        hidden = kinds_off - set(kinds)
        NotificationOptOut.objects.set_kinds_off(user, form.kinds_off() | hidden)
        messages.success(request, _("Your choice of reminders is saved."))
        return redirect("notifications")
    return render(request, "followup/notification_settings.html", {"form": form})
