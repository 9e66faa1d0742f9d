from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationKind

# When each reminder comes, shown under its checkbox.
KIND_HELP = {
    NotificationKind.DIGEST: _("On Mondays, when measures you are contact person for are flagged."),
    NotificationKind.REPORT_DUE: _(
        "A week before a reporting period's deadline and on the day, when a measure of "
        "yours still lacks a progress update for the period."
    ),
    NotificationKind.REVIEW_WAITING: _(
        "When progress updates have waited for review for more than three days."
    ),
    NotificationKind.NEEDS_CHANGES: _("When a reviewer asks for changes to your report."),
    NotificationKind.DECISION_DUE: _(
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
