import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Collate
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_line, validate_text


class AgreementQuerySet(models.QuerySet):
    def current(self, today=None):
        """The agreement whose period covers today, else the most recent one."""
        today = today or timezone.localdate()
        covering = self.filter(valid_from__lte=today, valid_until__gte=today)
        return (
            covering.order_by("-valid_from").first() or self.order_by("-valid_from", "-pk").first()
        )


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200, validators=[validate_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    municipality = models.CharField(
        _("municipality"),
        max_length=200,
        validators=[validate_line],
        help_text=_("The municipality that is a party."),
    )
    police_area = models.CharField(
        _("police area"),
        max_length=200,
        validators=[validate_line],
        help_text=_("The local police area that is a party."),
    )
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), help_text=_("The last day the agreement is valid, inclusive.")
    )
    goal = models.TextField(_("shared goal"), blank=True, validators=[validate_text])
    # The åtgärdsplan decided from the lägesbild (Lag 2023:196).
    plan_decided_on = models.DateField(
        _("action plan decided on"),
        null=True,
        blank=True,
        help_text=_("The day the action plan was decided."),
    )
    plan_decided_by = models.CharField(
        _("action plan decided by"),
        max_length=200,
        blank=True,
        validators=[validate_line],
        help_text=_("E.g. Kommunstyrelsen."),
    )
    plan_reference = models.CharField(
        _("reference number"),
        max_length=100,
        blank=True,
        validators=[validate_line],
        help_text=_("The decision's reference number in the register (diarienummer)."),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_until")),
                name="agreement_valid_from_before_until",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})

    @property
    def period_label(self):
        return f"{self.valid_from.isoformat()} – {self.valid_until.isoformat()}"

    def covers(self, day):
        return self.valid_from <= day <= self.valid_until

    @property
    def total_days(self):
        return (self.valid_until - self.valid_from).days + 1

    def days_elapsed(self, today=None):
        """Days of the period gone, today included; 0 before it starts."""
        today = today or timezone.localdate()
        if today < self.valid_from:
            return 0
        return min((today - self.valid_from).days + 1, self.total_days)

    def days_left(self, today=None):
        return self.total_days - self.days_elapsed(today)

    def share_elapsed(self, today=None):
        """The share of the period gone, 0–100."""
        return round(100 * self.days_elapsed(today) / self.total_days)


class FocusArea(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="focus_areas",
        verbose_name=_("agreement"),
    )
    slug = models.SlugField(_("slug"), max_length=100)
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    description = models.TextField(_("description"), blank=True, validators=[validate_text])
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists, lowest first.")
    )

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["agreement", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "slug"], name="focusarea_unique_slug_per_agreement"
            ),
        ]

    def __str__(self):
        return self.name


# Swedish alphabetical order: å, ä and ö after z, and v apart from w.
_SWEDISH = {"å": "z\u0001", "ä": "z\u0002", "ö": "z\u0003", "æ": "z\u0002", "ø": "z\u0003"}


def swedish_sort_key(text):
    """A key that sorts names as a Swedish reader expects."""
    folded = unicodedata.normalize("NFC", text.casefold())
    return "".join(_SWEDISH.get(ch, ch) for ch in folded)


class AreaQuerySet(models.QuerySet):
    def in_swedish_order(self):
        """By name in Swedish order (Vega before Västerhaninge, Ösmo last),
        by the database's Swedish collation."""
        collation = "sv-x-icu" if connection.vendor == "postgresql" else SQLITE_SWEDISH
        return self.order_by(Collate("name", collation))


# The collation the app registers on each SQLite connection (see apps.py).
SQLITE_SWEDISH = "swedish"


class Area(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_vulnerable = models.BooleanField(
        _("vulnerable area"),
        default=False,
        help_text=_("Designated by the police as a vulnerable area (utsatt område)."),
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReportingPeriodQuerySet(models.QuerySet):
    def open_on(self, today):
        """Periods that still take reports: until the deadline, or reopened."""
        return self.filter(Q(deadline__gte=today) | Q(reopened_until__gte=today))

    def for_reporting(self, today=None):
        """The period reports are due for now: the started, open period with
        the nearest deadline (just after a period ends, the one ending stays
        due until its deadline while the next has begun)."""
        today = today or timezone.localdate()
        return (
            self.open_on(today)
            .filter(starts_on__lte=today)
            .order_by("deadline", "starts_on")
            .first()
        )

    def containing(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day).first()


class ReportingPeriod(models.Model):
    """A reporting period (e.g. a tertial) of an agreement: what is done in it
    is reported by its deadline, and the steering group meets about it."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("agreement"),
    )
    name = models.CharField(
        _("name"), max_length=50, validators=[validate_line], help_text=_("E.g. “T1 2026”.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    deadline = models.DateField(
        _("deadline"), help_text=_("The last day reports for the period are taken.")
    )
    reopened_until = models.DateField(
        _("reopened until"),
        null=True,
        blank=True,
        help_text=_("Reports are taken again until this day, after the deadline."),
    )
    reopen_reason = models.TextField(
        _("reason for reopening"), blank=True, validators=[validate_text]
    )

    objects = ReportingPeriodQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("history entry of a reporting period"),
        verbose_name_plural=_("history of reporting periods"),
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["agreement", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="period_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__lte=F("deadline")), name="period_deadline_after_end"
            ),
            models.UniqueConstraint(
                fields=["agreement", "name"], name="period_unique_name_per_agreement"
            ),
            # A reopening always says why.
            models.CheckConstraint(
                condition=Q(reopened_until__isnull=True) | ~Q(reopen_reason=""),
                name="period_reopened_with_reason",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def dates_label(self):
        return f"{self.starts_on.isoformat()} – {self.ends_on.isoformat()}"

    def is_open(self, today=None):
        today = today or timezone.localdate()
        return self.deadline >= today or bool(self.reopened_until and self.reopened_until >= today)

    def is_reopened(self, today=None):
        today = today or timezone.localdate()
        return self.deadline < today and bool(self.reopened_until and self.reopened_until >= today)

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            errors["ends_on"] = _("The period cannot end before it starts.")
        if self.ends_on and self.deadline and self.deadline < self.ends_on:
            errors["deadline"] = _("The deadline cannot be before the period ends.")
        if self.reopened_until and not (self.reopen_reason or "").strip():
            errors["reopen_reason"] = _(
                "Say why the period is reopened; the reason is kept in its history."
            )
        if self.agreement_id and self.starts_on and self.ends_on and not errors:
            agreement = self.agreement
            if not (agreement.covers(self.starts_on) and agreement.covers(self.ends_on)):
                errors["starts_on"] = _(
                    "The period must lie within the agreement's validity period, %(period)s."
                ) % {"period": agreement.period_label}
            overlapping = (
                ReportingPeriod.objects.filter(
                    agreement=agreement, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping:
                errors["starts_on"] = _(
                    "The period overlaps %(name)s (%(dates)s). Periods of one agreement "
                    "never overlap."
                ) % {"name": overlapping.name, "dates": overlapping.dates_label}
        if errors:
            raise ValidationError(errors)


# --- From lägesbild to effect (Lag 2023:196): the situation report and its
# problems, the indicators that measure effect, and the citizen promises.


class SituationReportQuerySet(models.QuerySet):
    def latest_for(self, agreement):
        """The agreement's newest lägesbild, or None."""
        return self.filter(agreement=agreement).order_by("-prepared_on", "-pk").first()


class SituationReport(models.Model):
    """A lägesbild: the mapping and analysis of crime and its causes that the
    action plan is decided from (Lag 2023:196)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="situation_reports",
        verbose_name=_("agreement"),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[validate_line],
        help_text=_("E.g. “Situation report on crime and safety in Haninge 2025”."),
    )
    prepared_on = models.DateField(
        _("prepared on"), help_text=_("The day the situation report was completed (YYYY-MM-DD).")
    )
    summary = models.TextField(
        _("summary"),
        validators=[validate_text],
        help_text=_("The main conclusions: where crime and insecurity are, and why."),
    )
    sources = models.TextField(
        _("sources"),
        blank=True,
        validators=[validate_text],
        help_text=_(
            "What it was made from, e.g. the police's safety survey, reported crime, "
            "school surveys."
        ),
    )

    objects = SituationReportQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("history entry of a situation report"),
        verbose_name_plural=_("history of situation reports"),
    )

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["agreement", "-prepared_on"]

    def __str__(self):
        return self.title


class Problem(models.Model):
    """A problem the situation report found: what the measures address."""

    situation_report = models.ForeignKey(
        SituationReport,
        on_delete=models.CASCADE,
        related_name="problems",
        verbose_name=_("situation report"),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[validate_line],
        help_text=_("The problem in a few words, e.g. “Drug sales near Handen station”."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[validate_text],
        help_text=_("What the situation report says about it: extent, places, times, causes."),
    )
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("focus area"),
        help_text=_("The focus area of the agreement the problem belongs to, if one."),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="problems",
        verbose_name=_("districts"),
        help_text=_("Where the problem is; leave empty for the whole municipality."),
    )

    history = HistoricalRecords(
        verbose_name=_("history entry of a problem"),
        verbose_name_plural=_("history of problems"),
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["situation_report", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        try:
            report = self.situation_report  # also a new one, in the same admin form
        except SituationReport.DoesNotExist:
            report = None
        agreement_id = report.agreement_id if report is not None else None
        if self.focus_area_id and agreement_id and self.focus_area.agreement_id != agreement_id:
            raise ValidationError(
                {
                    "focus_area": _(
                        "Choose a focus area of the agreement the situation report belongs to."
                    )
                }
            )


class IndicatorVerdict(models.TextChoices):
    """Where an indicator's latest value stands between its baseline and its
    target: see `Indicator.verdict`."""

    REACHED = "reached", _("Target reached")
    TOWARDS = "towards", _("Towards the target")
    UNCHANGED = "unchanged", _("Unchanged")
    AWAY = "away", _("Away from the target")
    NO_VALUE = "no_value", _("No value since the baseline")


class IndicatorQuerySet(models.QuerySet):
    def with_latest(self, until=None):
        """`latest_value` and `latest_on`: the newest value measured on or
        after the baseline day (and on or before `until`), None without one."""
        values = IndicatorValue.objects.filter(
            indicator=OuterRef("pk"), measured_on__gte=OuterRef("baseline_on")
        )
        if until is not None:
            values = values.filter(measured_on__lte=until)
        newest = values.order_by("-measured_on")
        return self.annotate(
            latest_value=Subquery(newest.values("value")[:1]),
            latest_on=Subquery(newest.values("measured_on")[:1]),
        )


def _choices_constraint(field, choices, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# Choices live at module level so Meta.constraints can name them.
class IndicatorSource(models.TextChoices):
    SAFETY_SURVEY = "safety_survey", _("The police's safety survey")
    MUNICIPAL_SURVEY = "municipal_survey", _("The municipality's survey")
    REPORTED_CRIME = "reported_crime", _("Reported crime")
    OTHER = "other", _("Other source")


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATE = "rate", _("Per 1,000 inhabitants")
    INDEX = "index", _("Index")


class IndicatorDirection(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Indicator(models.Model):
    """An indicator of effect: a figure measured over time, with a baseline
    (before the measures) and a target (by a day within the agreement)."""

    Verdict = IndicatorVerdict

    Source = IndicatorSource
    Unit = IndicatorUnit
    Direction = IndicatorDirection

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("agreement"),
    )
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("focus area"),
        help_text=_("The focus area whose effect it measures, if one."),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="indicators",
        verbose_name=_("districts"),
        help_text=_("Where it is measured; leave empty for the whole municipality."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[validate_line],
        help_text=_("What is measured, e.g. “Share who feel unsafe in their area”."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[validate_text],
        help_text=_("How it is measured and whom it asks, so the figure can be read rightly."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source)
    unit = models.CharField(
        _("unit"),
        max_length=10,
        choices=Unit,
        help_text=_("Cannot be changed once values are entered."),
    )
    direction = models.CharField(
        _("better when"),
        max_length=10,
        choices=Direction,
        help_text=_("Which way is better. Cannot be changed once values are entered."),
    )
    baseline_value = models.DecimalField(
        _("baseline"),
        max_digits=12,
        decimal_places=2,
        help_text=_("The value before the measures, which change is measured from."),
    )
    baseline_on = models.DateField(
        _("baseline measured on"),
        help_text=_("May lie before the agreement's period."),
    )
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_on = models.DateField(
        _("target by"), help_text=_("A day within the agreement's period.")
    )

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("history entry of an indicator"),
        verbose_name_plural=_("history of indicators"),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["agreement", "title"]
        constraints = [
            _choices_constraint("source", IndicatorSource, "indicator_source_valid"),
            _choices_constraint("unit", IndicatorUnit, "indicator_unit_valid"),
            _choices_constraint("direction", IndicatorDirection, "indicator_direction_valid"),
            models.CheckConstraint(
                condition=~Q(unit="percent")
                | Q(
                    baseline_value__gte=0,
                    baseline_value__lte=100,
                    target_value__gte=0,
                    target_value__lte=100,
                ),
                name="indicator_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(baseline_on__lte=F("target_on")),
                name="indicator_baseline_before_target",
            ),
            # The target lies on the better side of the baseline (or at it:
            # keeping a good level is a target too).
            models.CheckConstraint(
                condition=Q(direction="increase", target_value__gte=F("baseline_value"))
                | Q(direction="decrease", target_value__lte=F("baseline_value")),
                name="indicator_target_on_the_better_side",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.unit == self.Unit.PERCENT:
            for field in ("baseline_value", "target_value"):
                value = getattr(self, field)
                if value is not None and not 0 <= value <= 100:
                    errors[field] = _("A percentage lies between 0 and 100.")
        if self.baseline_on and self.target_on and self.baseline_on > self.target_on:
            errors["baseline_on"] = _("The baseline must be measured before the target day.")
        if "target_value" not in errors and None not in (self.baseline_value, self.target_value):
            higher = self.target_value - self.baseline_value
            if self.direction == self.Direction.INCREASE and higher < 0:
                errors["target_value"] = _(
                    "Higher is better, so the target cannot be lower than the baseline."
                )
            if self.direction == self.Direction.DECREASE and higher > 0:
                errors["target_value"] = _(
                    "Lower is better, so the target cannot be higher than the baseline."
                )
        if self.agreement_id and self.target_on and not self.agreement.covers(self.target_on):
            errors["target_on"] = _(
                "The target day must lie within the agreement's validity period, %(period)s."
            ) % {"period": self.agreement.period_label}
        if (
            self.focus_area_id
            and self.agreement_id
            and (self.focus_area.agreement_id != self.agreement_id)
        ):
            errors["focus_area"] = _("Choose a focus area of the indicator's agreement.")
        if self.pk:
            errors.update(self._locked_changes())
        if errors:
            raise ValidationError(errors)

    def _locked_changes(self):
        """The unit and direction stay as they were once values exist: the
        values were measured in them."""
        stored = Indicator.objects.filter(pk=self.pk).values("unit", "direction").first()
        if stored is None:
            return {}
        count = self.values.count()
        if not count:
            return {}
        errors = {}
        if self.unit != stored["unit"]:
            errors["unit"] = _(
                "The unit cannot change once values are entered in it (%(count)s so far). "
                "Make a new indicator for the new unit."
            ) % {"count": count}
        if self.direction != stored["direction"]:
            errors["direction"] = _(
                "Which way is better cannot change once values are entered (%(count)s so "
                "far). Make a new indicator instead."
            ) % {"count": count}
        return errors

    def verdict(self, value=None):
        """Where `value` (by default the annotated `latest_value`) stands:

        - reached: at the target or beyond it, on the better side;
        - towards: on the better side of the baseline by at least
          UNCHANGED_SHARE of the way to the target, but short of it;
        - away: on the worse side of the baseline by at least that much;
        - unchanged: closer to the baseline than that, either way;
        - no value: nothing measured since the baseline.

        With a target at the baseline (keeping a level), at or better than
        it is reached and anything worse is away.
        """
        if value is None:
            value = getattr(self, "latest_value", None)
        if value is None:
            return self.Verdict.NO_VALUE
        value = Decimal(value)
        better = 1 if self.direction == self.Direction.INCREASE else -1
        if better * (value - self.target_value) >= 0:
            return self.Verdict.REACHED
        distance = abs(self.target_value - self.baseline_value)
        gain = better * (value - self.baseline_value)
        if distance == 0:
            return self.Verdict.AWAY
        if abs(gain) < UNCHANGED_SHARE * distance:
            return self.Verdict.UNCHANGED
        return self.Verdict.TOWARDS if gain > 0 else self.Verdict.AWAY

    def verdict_label(self):
        """The verdict on the annotated latest value, in words."""
        return self.Verdict(self.verdict()).label

    def share_of_way(self, value=None):
        """How far `value` has come from the baseline to the target, in whole
        percent (negative when it went the wrong way); None without a value or
        with a target at the baseline."""
        if value is None:
            value = getattr(self, "latest_value", None)
        distance = self.target_value - self.baseline_value
        if value is None or distance == 0:
            return None
        return round(100 * (Decimal(value) - self.baseline_value) / distance)

    @property
    def is_percent(self):
        return self.unit == self.Unit.PERCENT


# A move of less than this share of the way from the baseline to the target,
# either way, counts as unchanged: survey figures move a little every year.
UNCHANGED_SHARE = Decimal("0.05")


class IndicatorValue(models.Model):
    """A value of an indicator, measured on a day."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("indicator"),
    )
    measured_on = models.DateField(
        _("measured on"),
        default=timezone.localdate,
        help_text=_(
            "The day the value describes, e.g. the survey's or the period's last day; "
            "not in the future."
        ),
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    comment = models.TextField(
        _("comment"),
        blank=True,
        validators=[validate_text],
        help_text=_("E.g. where the figure comes from, or why it moved."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(
        verbose_name=_("history entry of an indicator value"),
        verbose_name_plural=_("history of indicator values"),
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measured_on"],
                name="indicatorvalue_one_per_day",
                violation_error_message=_("The indicator already has a value for this day."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} ({self.measured_on.isoformat()})"

    def clean(self):
        errors = {}
        if self.measured_on and self.measured_on > timezone.localdate():
            errors["measured_on"] = _("The day measured cannot be in the future.")
        indicator = self._indicator()
        if indicator is not None:
            if (
                indicator.unit == Indicator.Unit.PERCENT
                and self.value is not None
                and not 0 <= self.value <= 100
            ):
                errors["value"] = _("A percentage lies between 0 and 100.")
            if self.measured_on and "measured_on" not in errors and indicator.pk:
                same_day = (
                    IndicatorValue.objects.filter(indicator=indicator, measured_on=self.measured_on)
                    .exclude(pk=self.pk)
                    .first()
                )
                if same_day is not None:
                    errors["measured_on"] = _(
                        "A value for %(day)s is entered already (%(value)s). One value per "
                        "day: choose another day, or ask an administrator to correct that one."
                    ) % {
                        "day": self.measured_on.isoformat(),
                        "value": formats.number_format(same_day.value.normalize()),
                    }
        if errors:
            raise ValidationError(errors)

    def _indicator(self):
        """The indicator, also when it is a new one in the same form (the
        administration enters values with their indicator)."""
        try:
            return self.indicator
        except Indicator.DoesNotExist:
            return None


class CitizenPromise(models.Model):
    """A medborgarlöfte: what the police and the municipality promise the
    residents to do together, usually for a year."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="promises",
        verbose_name=_("agreement"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_line])
    text = models.TextField(
        _("text"),
        validators=[validate_text],
        help_text=_("The promise as it was published to the residents."),
    )
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), help_text=_("The last day the promise is valid, inclusive.")
    )

    history = HistoricalRecords(
        verbose_name=_("history entry of a citizen promise"),
        verbose_name_plural=_("history of citizen promises"),
    )

    class Meta:
        verbose_name = _("citizen promise")
        verbose_name_plural = _("citizen promises")
        ordering = ["agreement", "-valid_from", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_until")),
                name="promise_valid_from_before_until",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def period_label(self):
        return f"{self.valid_from.isoformat()} – {self.valid_until.isoformat()}"

    def is_valid_on(self, day):
        return self.valid_from <= day <= self.valid_until

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": _("The promise cannot end before it starts.")})
