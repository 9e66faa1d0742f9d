from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreement.forms import text_formfield
from agreement.models import ReportingPeriod
from measures.forms import AccessibleFormMixin, DateInput, UserChoiceField
from measures.models import Measure
from measures.roles import people_in_roles

from .models import Decision, Meeting


class ReportForm(forms.Form):
    """Which part of the agreement the report covers: a reporting period, or
    any span of days (`from`, `to`)."""

    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        required=False,
        label=_("Reporting period"),
        empty_label=_("– choose a period –"),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=DateInput, help_text=_("YYYY-MM-DD")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=DateInput, help_text=_("YYYY-MM-DD")
    )
    detail = forms.BooleanField(label=_("With every report's text"), required=False)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = agreement.periods.all()

    def add_prefix(self, field_name):
        # The query string says `from` and `to`, which are Python keywords.
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        days_given = "from" in self.data or "to" in self.data
        if days_given and not self.errors:
            if not start:
                self.add_error("start", _("Give the first day, or choose a period instead."))
            if not end:
                self.add_error("end", _("Give the last day, or choose a period instead."))
            if start and end and start > end:
                self.add_error("end", _("The period cannot end before it starts."))
        return cleaned


class MeetingForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        formfield_callback = text_formfield
        fields = ["title", "held_on", "period", "participants", "notes"]
        widgets = {
            "held_on": DateInput,
            "participants": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agreement = agreement
        self.fields["period"].queryset = agreement.periods.all()
        self.fields["period"].empty_label = _("– no period –")
        if self.instance.is_frozen:
            # The minutes are filed; only their record stays as it was.
            for name in ("participants", "notes", "held_on", "period"):
                self.fields[name].disabled = True


class DecisionForm(AccessibleFormMixin, forms.ModelForm):
    owner = UserChoiceField(
        queryset=None,
        required=False,
        label=_("Responsible"),
        help_text=Decision._meta.get_field("owner").help_text,
        empty_label=_("– nobody yet –"),
    )

    class Meta:
        model = Decision
        formfield_callback = text_formfield
        fields = ["text", "owner", "due_on", "measure"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due_on": DateInput}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["owner"].queryset = people_in_roles(keep=self.instance.owner_id)
        self.fields["measure"].queryset = (
            Measure.objects.active()
            .of_agreement(meeting.agreement)
            .select_related("focus_area")
            .order_by("title")
        )
        self.fields["measure"].empty_label = _("– no particular measure –")
        self.fields["measure"].required = False


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Decision.Status.choices)

    def apply(self, decision):
        """Move the decision to the chosen status, dating it when done."""
        status = self.cleaned_data["status"]
        decision.status = status
        decision.done_on = timezone.localdate() if status == Decision.Status.DONE else None
        return decision


class ReopenForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        formfield_callback = text_formfield
        fields = ["reopened_until", "reopen_reason"]
        widgets = {
            "reopened_until": DateInput,
            "reopen_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reopened_until"].required = True
        self.fields["reopen_reason"].required = True
        self.fields["reopened_until"].error_messages["required"] = _(
            "Give the last day reports are taken again."
        )
        self.fields["reopen_reason"].error_messages["required"] = _(
            "Say why the period is reopened; the reason is kept in its history."
        )

    def clean_reopened_until(self):
        day = self.cleaned_data["reopened_until"]
        if day < timezone.localdate():
            raise ValidationError(_("The day cannot be in the past."))
        if day <= self.instance.deadline:
            raise ValidationError(
                _("Reopen it until a day after its deadline, %(deadline)s."),
                params={"deadline": self.instance.deadline.isoformat()},
            )
        return day
