from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreement.forms import text_formfield
from agreement.models import Area, CitizenPromise, FocusArea, Indicator, IndicatorValue, Problem
from agreement.validators import validate_line

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
    """A date as the app writes it, 2025-02-11, whatever the browser's language.

    A text field with the format in its hint, as GOV.UK's and Designsystemet's
    patterns do: a browser's date picker shows the day in its own locale's
    order (11/02/2025 or 02/11/2025), which is how dates get mistyped.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "size": 10, "maxlength": 10}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")


class SpecificMessagesMixin:
    """A required field that is left empty says what to do, not "this field is
    required": `REQUIRED = {field name: message}`."""

    REQUIRED = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message


class UserChoiceField(forms.ModelChoiceField):
    """People by name, marked when they have left or have no role."""

    def label_from_instance(self, obj):
        return person_choice_label(obj)


class OfAgreementChoiceField(forms.ModelMultipleChoiceField):
    """Choices of one agreement. A choice that belongs to another agreement
    (a form posted by hand, or from a page of the other agreement) is refused
    with a message that says so, rather than Django's "not one of the
    choices"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, agreement_path, other_agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement_path = agreement_path
        self.error_messages["other_agreement"] = other_agreement

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            chosen = set(value) - {str(pk) for pk in self.queryset.values_list("pk", flat=True)}
            elsewhere = (
                self.queryset.model._default_manager.filter(pk__in=chosen)
                .values_list("title", f"{self.agreement_path}__title")
                .first()
            )
            if elsewhere is None:
                raise
            raise ValidationError(
                self.error_messages["other_agreement"],
                code="other_agreement",
                params={"title": elsewhere[0], "agreement": elsewhere[1]},
            ) from None


# A measure's own fields, in the order the forms show them (the app's and
# the admin's); each form adds its links or the archive flag.
MEASURE_FIELDS = (
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
)


class MeasureForm(SpecificMessagesMixin, AccessibleFormMixin, forms.ModelForm):
    """A measure's plan, in the order of BRÅ's action-plan template:
    cause → measure → operational goal → when → who. Each field is named once,
    by the question it answers."""

    REQUIRED = {
        "focus_area": _("Choose a focus area."),
        "title": _("Write a title."),
        "cause": _("Write why the measure is needed."),
        "description": _("Write what is done."),
        "kind": _("Choose the kind of measure."),
        "operational_goal": _("Write what the measure should achieve."),
        "start_date": _("Give the first day."),
        "end_date": _("Give the last day."),
        "responsible_party": _("Choose who is responsible."),
    }

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
            *MEASURE_FIELDS,
            "areas",
            "problems",
            "indicators",
            "promises",
        ]
        labels = {
            "cause": _("Why is the measure needed?"),
            "description": _("What is done, and how?"),
            "kind": _("Kind of measure"),
            "is_one_off": _("A one-off effort rather than ordinary work"),
            "operational_goal": _("What should it achieve?"),
            "areas": _("Districts"),
        }
        help_texts = {
            "cause": _("E.g. “Residents feel unsafe in Jordbro centrum on weekend evenings.”"),
            "description": _("Who does what, where and how often."),
            "is_one_off": "",
            "operational_goal": _(
                "Write it so it can be followed up, e.g. “Adults out every Friday and "
                "Saturday 20–24 during term.”"
            ),
            "start_date": _("YYYY-MM-DD"),
            "end_date": _("YYYY-MM-DD"),
        }
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

    # The form's sections, in the order of BRÅ's template. A section's name
    # groups its fields; the fields are named by their questions.
    SECTIONS = [
        (_("The measure"), ["focus_area", "title"], ""),
        (_("Cause"), ["problems", "cause"], ""),
        (_("Measure"), ["description", "kind", "is_one_off"], ""),
        (_("Operational goal"), ["operational_goal"], ""),
        (_("When"), ["start_date", "end_date"], ""),
        (_("Who"), ["responsible_party", "responsible_unit", "owner", "areas"], ""),
        (
            _("Follow-up"),
            ["indicators", "promises"],
            _("Which indicators should show the effect, and which citizen promises does it keep?"),
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
        self.fields["areas"].queryset = Area.objects.in_swedish_order()
        self.fields["problems"] = OfAgreementChoiceField(
            queryset=Problem.objects.filter(situation_report__agreement=agreement)
            .select_related("situation_report", "focus_area")
            .order_by("-situation_report__prepared_on", "situation_report", "pk"),
            required=False,
            label=_("Problems in the situation report"),
            help_text=Measure._meta.get_field("problems").help_text,
            agreement_path="situation_report__agreement",
            other_agreement=_(
                "“%(title)s” is a problem in the situation report of another agreement "
                "(%(agreement)s). Choose problems from this agreement's situation report."
            ),
        )
        self.fields["indicators"] = OfAgreementChoiceField(
            queryset=Indicator.objects.filter(agreement=agreement).order_by("title", "pk"),
            required=False,
            label=_("Indicators"),
            help_text=Measure._meta.get_field("indicators").help_text,
            agreement_path="agreement",
            other_agreement=_(
                "“%(title)s” is an indicator of another agreement (%(agreement)s). Choose "
                "indicators of this agreement."
            ),
        )
        self.fields["promises"] = OfAgreementChoiceField(
            queryset=CitizenPromise.objects.filter(agreement=agreement).order_by(
                "-valid_from", "title", "pk"
            ),
            required=False,
            label=_("Citizen promises"),
            help_text=Measure._meta.get_field("promises").help_text,
            agreement_path="agreement",
            other_agreement=_(
                "“%(title)s” is a citizen promise of another agreement (%(agreement)s). "
                "Choose citizen promises of this agreement."
            ),
        )
        self.fields["kind"].choices = Measure.Kind.choices
        self.fields["responsible_party"].choices = Measure.Party.choices
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

    def problem_groups(self):
        """The problems' checkboxes grouped by situation report, newest first."""
        groups = []
        for widget in self["problems"]:
            report = widget.data["value"].instance.situation_report
            if not groups or groups[-1][0] != report:
                groups.append((report, []))
            groups[-1][1].append(widget)
        return groups


class ProgressUpdateForm(SpecificMessagesMixin, AccessibleFormMixin, forms.ModelForm):
    REQUIRED = {
        "reported_on": _("Give the day the report describes."),
        "status": _("Choose where the measure stands."),
        "progress": _("Give how far the measure has come, 0–100 %."),
        "assessment": _("Choose an assessment."),
        "summary": _("Write what has been done."),
    }

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


class ReviewForm(SpecificMessagesMixin, AccessibleFormMixin, forms.ModelForm):
    REQUIRED = {"verdict": _("Choose a decision: approve, or ask for changes.")}

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


class ReviewQueueFilter(forms.Form):
    """The review queue narrowed to one focus area or one responsible party."""

    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.none(),
        required=False,
        label=_("Focus area"),
        empty_label=_("All"),
    )
    party = forms.ChoiceField(
        choices=[("", _("All")), *Measure.Party.choices],
        required=False,
        label=_("Responsible party"),
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(agreement=agreement)


class IndicatorValueForm(AccessibleFormMixin, forms.ModelForm):
    """A value of an indicator: the day, the figure and a comment, no more."""

    value = forms.DecimalField(
        label=_("Value"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = IndicatorValue
        formfield_callback = text_formfield
        fields = ["measured_on", "value", "comment"]
        widgets = {
            "measured_on": DateInput,
            "comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.fields["measured_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        unit = Indicator.Unit(indicator.unit).label
        if indicator.unit == Indicator.Unit.PERCENT:
            self.fields["value"].help_text = _("In percent, 0–100, e.g. 27,5.")
        else:
            self.fields["value"].help_text = _(
                "Unit: %(unit)s. Decimals with a comma, e.g. 27,5."
            ) % {"unit": str(unit).lower()}


class ImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "The app's export, edited, or the template filled in: an Excel workbook (.xlsx) "
            "or a CSV file, at most 5 MB and 5,000 rows."
        ),
        # An empty file gets the reader's own message.
        allow_empty_file=True,
        error_messages={"required": _("Choose a file to import.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class IdListField(forms.Field):
    """Several measure IDs, as checkboxes named `ids` send them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("The selection cannot be read."), code="invalid") from None
        if any(not 1 <= pk < 2**63 for pk in ids):
            raise ValidationError(_("The selection cannot be read."), code="invalid")
        return list(dict.fromkeys(ids))


class BulkEditForm(AccessibleFormMixin, forms.Form):
    """One change for several measures: the ticked ones (`ids`) or every hit
    of a filter of the list (`all` with the list's query string in `filter`).

    Each action takes its value from the field named as the model field it
    sets; a client may also send it as `value`.
    """

    ACTIONS = [
        ("set_owner", _("Set the contact person")),
        ("set_responsible_unit", _("Set the responsible unit")),
        ("set_end_date", _("Set the end date")),
        ("add_area", _("Add a district")),
        ("archive", _("Archive")),
        ("restore", _("Restore from the archive")),
    ]
    VALUE_FIELDS = {
        "set_owner": "owner",
        "set_responsible_unit": "responsible_unit",
        "set_end_date": "end_date",
        "add_area": "area",
    }

    ids = IdListField(required=False)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
    filter = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[("", _("– choose a change –")), *ACTIONS],
        error_messages={"required": _("Choose which change to make.")},
    )
    owner = UserChoiceField(
        queryset=None,
        required=False,
        label=_("New contact person"),
        empty_label=_("– choose a person –"),
    )
    responsible_unit = forms.CharField(
        label=_("New responsible unit"),
        required=False,
        max_length=200,
        validators=[validate_line],
    )
    end_date = forms.DateField(label=_("New end date"), required=False, widget=DateInput)
    area = forms.ModelChoiceField(
        queryset=Area.objects.in_swedish_order(),
        required=False,
        label=_("District to add"),
        empty_label=_("– choose a district –"),
    )
    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, data=None, *, agreement, **kwargs):
        action = data.get("action") if data else None
        field = self.VALUE_FIELDS.get(action)
        if field and data.get("value") and not data.get(field):
            data = data.copy()
            data[field] = data["value"]
        super().__init__(data, auto_id="bulk_%s", **kwargs)
        self.agreement = agreement
        self.fields["owner"].queryset = people_in_roles()
        self.fields["end_date"].widget.attrs.update(
            min=agreement.valid_from.isoformat(), max=agreement.valid_until.isoformat()
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("ids") and not cleaned.get("all") and "ids" not in self.errors:
            raise ValidationError(
                _(
                    "Choose the measures to change: tick them in the list, or choose all "
                    "the hits of the filter."
                ),
                code="nothing_chosen",
            )
        field = self.VALUE_FIELDS.get(cleaned.get("action"))
        if field and field not in self.errors and cleaned.get(field) in (None, ""):
            self.add_error(
                field,
                ValidationError(_("Give the new value for the change you chose."), code="required"),
            )
        return cleaned

    @property
    def value_field(self):
        name = self.VALUE_FIELDS.get(self.cleaned_data.get("action"))
        return self[name] if name else None

    def value(self):
        name = self.VALUE_FIELDS.get(self.cleaned_data["action"])
        return self.cleaned_data[name] if name else None
