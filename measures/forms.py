from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreement.forms import text_formfield
from agreement.models import Area, FocusArea

from .models import Measure, ProgressUpdate, Review
from .roles import people_in_roles, person_choice_label


class AccessibleFormMixin:
    """Ties each field's error message and help text to its input for screen
    readers (aria-describedby), and marks invalid inputs."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    """People by name, marked when they have left or have no role."""

    def label_from_instance(self, obj):
        return person_choice_label(obj)


class MeasureForm(AccessibleFormMixin, forms.ModelForm):
    """A measure's plan, in the order of BRÅ's action-plan template:
    cause → measure → operational goal → when → who."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    owner = UserChoiceField(
        queryset=None,
        required=False,
        label=_("Contact person"),
        help_text=Measure._meta.get_field("owner").help_text,
        empty_label=_("– nobody yet –"),
    )

    class Meta:
        model = Measure
        formfield_callback = text_formfield
        fields = [
            "focus_area",
            "title",
            "cause",
            "description",
            "kind",
            "is_one_off",
            "operational_goal",
            "start_date",
            "end_date",
            "responsible_party",
            "responsible_unit",
            "owner",
            "areas",
        ]
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "kind": forms.RadioSelect,
            "responsible_party": forms.RadioSelect,
            "areas": forms.CheckboxSelectMultiple,
            "cause": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "operational_goal": forms.Textarea(attrs={"rows": 3}),
        }

    # The form's sections, named as in BRÅ's template.
    SECTIONS = [
        (_("The measure"), ["focus_area", "title"], ""),
        (
            _("Cause"),
            ["cause"],
            _("Which problem in the situation picture does the measure address?"),
        ),
        (_("Measure"), ["description", "kind", "is_one_off"], _("What is done, and how?")),
        (
            _("Operational goal"),
            ["operational_goal"],
            _("What should the measure achieve? Write it so it can be followed up."),
        ),
        (_("When"), ["start_date", "end_date"], ""),
        (
            _("Who"),
            ["responsible_party", "responsible_unit", "owner", "areas"],
            _("Who is responsible, and where is the work done?"),
        ),
    ]

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["focus_area"].queryset = FocusArea.objects.filter(
            agreement=agreement
        ).select_related("agreement")
        self.fields["focus_area"].empty_label = _("– choose a focus area –")
        self.fields["owner"].queryset = people_in_roles(keep=self.instance.owner_id)
        self.fields["areas"].queryset = Area.objects.all()
        self.fields["kind"].choices = Measure.Kind.choices
        self.fields["responsible_party"].choices = Measure.Party.choices
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs.update(
                min=agreement.valid_from.isoformat(), max=agreement.valid_until.isoformat()
            )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # Without a focus area the model cannot tell which agreement's period
        # applies; check the dates against the agreement the form is for, so
        # every error shows at once.
        if not cleaned.get("focus_area"):
            for name in ("start_date", "end_date"):
                day = cleaned.get(name)
                if day and not self.agreement.covers(day):
                    self.add_error(
                        name,
                        ValidationError(
                            _(
                                "The date must lie within the agreement's validity "
                                "period, %(period)s."
                            ),
                            code="outside_period",
                            params={"period": self.agreement.period_label},
                        ),
                    )
        return cleaned

    def sections(self):
        for legend, names, intro in self.SECTIONS:
            yield legend, intro, [self[name] for name in names]


class ProgressUpdateForm(AccessibleFormMixin, forms.ModelForm):
    # Declared without bounds so the model's 0–100 rule gives one message for both ends.
    progress = forms.IntegerField(
        label=ProgressUpdate._meta.get_field("progress").verbose_name.capitalize(),
        help_text=ProgressUpdate._meta.get_field("progress").help_text,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )

    class Meta:
        model = ProgressUpdate
        formfield_callback = text_formfield
        fields = ["reported_on", "status", "progress", "assessment", "summary", "next_steps"]
        widgets = {
            "reported_on": DateInput,
            "assessment": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.measure = measure
        self.fields["assessment"].choices = ProgressUpdate.Assessment.choices
        self.fields["status"].choices = Measure.Status.choices
        if not self.is_bound:
            self.fields["status"].initial = (
                Measure.Status.IN_PROGRESS
                if measure.status == Measure.Status.PLANNED
                else measure.status
            )
            latest = getattr(measure, "latest_progress", None)
            if latest is not None:
                self.fields["progress"].initial = latest


class ReviewForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Review
        formfield_callback = text_formfield
        fields = ["verdict", "comment"]
        widgets = {
            "verdict": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, progress_update, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progress_update = progress_update
        self.fields["verdict"].choices = Review.Verdict.choices
