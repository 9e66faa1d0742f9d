import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreement.models import Agreement, Area, CitizenPromise, FocusArea, Indicator, Problem
from agreement.validators import validate_line, validate_text


def _choices_constraint(field, choices, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# Choices live at module level so Meta.constraints can name them; each model
# exposes its own as an attribute (Measure.Status, ProgressUpdate.Assessment).
class Kind(models.TextChoices):
    SITUATIONAL = "situational", _("Situational")
    SOCIAL = "social", _("Social")


class Party(models.TextChoices):
    KOMMUN = "kommun", _("The municipality")
    POLIS = "polis", _("The police")
    GEMENSAM = "gemensam", _("Joint")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")


class Assessment(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("At risk")
    RED = "red", _("Off track")


class Verdict(models.TextChoices):
    APPROVED = "approved", _("Approved")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")


CLOSED = [Status.DONE, Status.CANCELLED]

# A measure's current assessment is its newest report's; "none" before any.
UNASSESSED = "none"
ASSESSMENTS = [
    (Assessment.GREEN, _("Green: on track")),
    (Assessment.YELLOW, _("Yellow: at risk")),
    (Assessment.RED, _("Red: off track")),
    (UNASSESSED, _("Not assessed")),
]
ASSESSMENT_VALUES = [value for value, _label in ASSESSMENTS]
ASSESSMENT_SHORT = {
    Assessment.GREEN: _("Green"),
    Assessment.YELLOW: _("Yellow"),
    Assessment.RED: _("Red"),
    UNASSESSED: _("Not assessed"),
}

# The follow-up flags of PRODUCT.md, in the order they are shown.
FLAGS = {
    "outside_period": _("Outside the agreement's period"),
    "overdue": _("Overdue"),
    "not_started": _("Not started"),
    "stale": _("No recent progress update"),
    "no_owner": _("No contact person"),
    "ends_after_agreement": _("Agreement ends soon"),
}

# The flags as chips in tables: a word or two beside an icon (static/css).
FLAG_SHORT = {
    "outside_period": _("Outside period"),
    "overdue": _("Overdue"),
    "not_started": _("Not started"),
    "stale": _("No report"),
    "no_owner": _("No contact"),
    "ends_after_agreement": _("Agreement ending"),
}

FLAG_DESCRIPTIONS = {
    "outside_period": _("A date lies outside the agreement's validity period."),
    "overdue": _("The end date has passed and the measure is neither done nor cancelled."),
    "not_started": _("The start date has passed and the measure is still planned."),
    "stale": _("In progress without a progress update for more than %(days)s days."),
    "no_owner": _("Nobody is named as contact person, or the person named has left."),
    "ends_after_agreement": _(
        "The agreement ends within %(ending_days)s days and the measure is neither done "
        "nor cancelled."
    ),
}

# A measure still open this many days before its agreement ends is flagged.
AGREEMENT_ENDING_DAYS = 180

# A softer flag beside the six: the measure names no problem of the
# situation report. A gap in the law's chain to close when the plan is
# revised, not a sign the work is off track, so it is shown on the list but
# never counted among the follow-up flags.
NO_PROBLEM = "no_problem"
NO_PROBLEM_LABEL = _("Not linked to the situation report")
NO_PROBLEM_SHORT = _("No problem named")
NO_PROBLEM_DESCRIPTION = _(
    "The measure names no problem of the situation report that it addresses."
)


def addresses_problem():
    """The measure names at least one problem of the situation report."""
    return Exists(MeasureProblem.objects.filter(measure=OuterRef("pk")))


def flag_description(name):
    return FLAG_DESCRIPTIONS[name] % {
        "days": settings.STALE_AFTER_DAYS,
        "ending_days": AGREEMENT_ENDING_DAYS,
    }


def flag_conditions(today, stale_after_days=None):
    """One Q per flag, for filters, annotations and conditional counts.

    The single definition behind the dashboard, the list filter and the
    exports. Archived measures never carry a flag.
    """
    if stale_after_days is None:
        stale_after_days = settings.STALE_AFTER_DAYS
    live = Q(is_archived=False)
    open_ = ~Q(status__in=CLOSED)
    stale_before = today - datetime.timedelta(days=stale_after_days)
    return {
        "outside_period": live
        & (
            Q(start_date__lt=F("focus_area__agreement__valid_from"))
            | Q(end_date__gt=F("focus_area__agreement__valid_until"))
            | Q(start_date__gt=F("focus_area__agreement__valid_until"))
            | Q(end_date__lt=F("focus_area__agreement__valid_from"))
        ),
        "overdue": live & open_ & Q(end_date__lt=today),
        "not_started": live & Q(status=Status.PLANNED, start_date__lt=today),
        # Counted from the later of the start date and the newest update. The
        # update lookup comes last so the database makes it only for measures
        # that are in progress and old enough (an index on measure and date).
        "stale": live
        & Q(status=Status.IN_PROGRESS, start_date__lt=stale_before)
        & ~Exists(
            ProgressUpdate.objects.filter(measure=OuterRef("pk"), reported_on__gte=stale_before)
        ),
        # Someone who has left is deactivated and can no longer be asked.
        "no_owner": live & (Q(owner__isnull=True) | Q(owner__is_active=False)),
        "ends_after_agreement": live
        & open_
        & Q(
            focus_area__agreement__valid_until__lte=today
            + datetime.timedelta(days=AGREEMENT_ENDING_DAYS)
        ),
    }


def _closed_before(day):
    """The newest report before `day` said done or cancelled."""
    newest = ProgressUpdate.objects.filter(
        measure=OuterRef(OuterRef("pk")), reported_on__lt=day
    ).order_by(*NEWEST_FIRST)
    return Exists(
        ProgressUpdate.objects.filter(pk=Subquery(newest.values("pk")[:1]), status__in=CLOSED)
    )


def due_condition(period):
    """A measure owes a report for a period when it is live, runs in it, and
    was not done or cancelled before it began (by its newest report then)."""
    return Q(
        is_archived=False,
        focus_area__agreement=period.agreement_id,
        start_date__lte=period.ends_on,
        end_date__gte=period.starts_on,
    ) & ~Q(_closed_before(period.starts_on))


def _reported_between(start, end):
    return Exists(
        ProgressUpdate.objects.filter(
            measure=OuterRef("pk"), reported_on__gte=start, reported_on__lte=end
        )
    )


def _history_model_name(name):
    # The districts' history keeps the table it had before MeasureArea was
    # its own model.
    return "HistoricalMeasure_areas" if name == "MeasureArea" else f"Historical{name}"


def _newest_update(until=None):
    updates = ProgressUpdate.objects.filter(measure=OuterRef("pk"))
    if until is not None:
        updates = updates.filter(reported_on__lte=until)
    return updates.order_by(*NEWEST_FIRST)


def current_assessment(until=None):
    """The newest report's assessment (as of `until`), or "none"."""
    return Coalesce(Subquery(_newest_update(until).values("assessment")[:1]), Value(UNASSESSED))


def status_on(day):
    """The status as of `day`: its newest report's then, planned before any."""
    return Coalesce(Subquery(_newest_update(day).values("status")[:1]), Value(Status.PLANNED))


class MeasureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_archived=False)

    def for_listing(self, today):
        """What every list of measures shows: the focus area and contact
        person, the newest report's date, progress and assessment, the
        follow-up flags and whether it names a problem of the situation
        report. The list, the exports and the dashboards use it."""
        return (
            self.select_related("focus_area", "owner")
            .with_latest_update()
            .with_flags(today)
            .with_problem_link()
        )

    def of_agreement(self, agreement):
        return self.filter(focus_area__agreement=agreement)

    def with_assessment(self, until=None, *, name="assessment"):
        """`assessment`: the current assessment, "none" before any report."""
        return self.annotate(**{name: current_assessment(until)})

    def running_between(self, start, end):
        return self.filter(start_date__lte=end, end_date__gte=start)

    def counts(self, today, *, by=None, until=None, compare_until=None, months=()):
        """The dashboards' figures in one query: the number of measures, and
        per status, per follow-up flag and per current assessment.

        `until` counts status and assessment as they stood on that day (a
        period's report); `compare_until` adds the assessments as they stood
        on another day (`before_<value>`), for "red 3, +1"; `months` adds,
        per (first, last) day, how many measures ran then (`month_<i>`; in
        months gone, only those that had started). With
        `by` (a field name) the rows come per value of that field, as
        {value: row}.
        """
        columns = {"total": Count("pk")}
        for value in Status.values:
            if until is None:
                columns[f"status_{value}"] = Count("pk", filter=Q(status=value))
            else:
                columns[f"status_{value}"] = Count(
                    "pk", filter=Exact(status_on(until), Value(value))
                )
        for name, condition in flag_conditions(today, settings.STALE_AFTER_DAYS).items():
            columns[f"flag_{name}"] = Count("pk", filter=condition)
        # The assessment is written into each count rather than annotated:
        # Django cannot aggregate over an annotated subquery without a group.
        for value in ASSESSMENT_VALUES:
            columns[f"assessment_{value}"] = Count(
                "pk", filter=Exact(current_assessment(until), Value(value))
            )
            if compare_until is not None:
                columns[f"before_{value}"] = Count(
                    "pk", filter=Exact(current_assessment(compare_until), Value(value))
                )
        for index, (first, last) in enumerate(months):
            running = Q(start_date__lte=last, end_date__gte=first)
            if first <= today:
                # A measure still planned had not started then, whatever its dates.
                running &= ~Q(status=Status.PLANNED)
            columns[f"month_{index}"] = Count("pk", filter=running)
        rows = self.order_by()
        if by is None:
            return rows.aggregate(**columns)
        return {row[by]: row for row in rows.values(by).annotate(**columns)}

    def with_latest_update(self, until=None):
        """The newest progress update's date, progress and assessment, per row;
        with `until`, the newest reported on or before that day."""
        latest = _newest_update(until)
        return self.annotate(
            last_reported_on=Subquery(latest.values("reported_on")[:1]),
            latest_progress=Subquery(latest.values("progress")[:1]),
            latest_assessment=Subquery(latest.values("assessment")[:1]),
        )

    def with_flags(self, today, stale_after_days=None):
        """Annotate `flag_<name>` booleans, computed by the database.

        Flags need nothing but the measure's own row, its agreement and the
        progress updates, so they stay cheap in aggregates over many rows.
        """
        if stale_after_days is None:
            stale_after_days = settings.STALE_AFTER_DAYS
        return self.annotate(
            **{
                f"flag_{name}": ExpressionWrapper(condition, output_field=BooleanField())
                for name, condition in flag_conditions(today, stale_after_days).items()
            }
        )

    def flagged(self, flag, today, stale_after_days=None):
        return self.with_flags(today, stale_after_days).filter(**{f"flag_{flag}": True})

    def due_in(self, period):
        """Measures that owe a report for the period (see `due_condition`)."""
        return self.filter(due_condition(period))

    def period_counts(self, periods):
        """{period id: {"due": n, "reported": n}} for several periods, in one query."""
        columns = {}
        for period in periods:
            due = due_condition(period)
            reported = due & Q(_reported_between(period.starts_on, period.ends_on))
            columns[f"due_{period.pk}"] = Count("pk", filter=due)
            columns[f"reported_{period.pk}"] = Count("pk", filter=reported)
        if not columns:
            return {}
        row = self.order_by().aggregate(**columns)
        return {
            p.pk: {"due": row[f"due_{p.pk}"], "reported": row[f"reported_{p.pk}"]} for p in periods
        }

    def due_counts(self, period, *, by=None):
        """How many measures owe a report for the period, and how many gave
        one: {"due": n, "reported": n}, per value of `by` when given."""
        columns = {
            "due": Count("pk"),
            "reported": Count("pk", filter=_reported_between(period.starts_on, period.ends_on)),
        }
        rows = self.due_in(period).order_by()
        if by is None:
            return rows.aggregate(**columns)
        return {row[by]: row for row in rows.values(by).annotate(**columns)}

    def with_reported_in(self, period):
        """`reported_in_period`: a progress update describes a day of the period."""
        return self.annotate(reported_in_period=_reported_between(period.starts_on, period.ends_on))

    def with_problem_link(self):
        """`addresses_problem`: the measure names a problem of the situation report."""
        return self.annotate(addresses_problem=addresses_problem())

    def without_problem(self):
        return self.filter(~addresses_problem())

    def with_needs_changes(self):
        """`needs_changes`: the newest progress update was reviewed as needing changes."""
        newest = ProgressUpdate.objects.filter(measure=OuterRef(OuterRef("pk"))).order_by(
            *NEWEST_FIRST
        )
        return self.annotate(
            needs_changes=Exists(
                Review.objects.filter(
                    progress_update=Subquery(newest.values("pk")[:1]),
                    verdict=Verdict.NEEDS_CHANGES,
                )
            )
        )


class MeasureArea(models.Model):
    """A district a measure concerns. Its own model so that a district in use
    cannot be deleted (PROTECT): the measures would silently lose it."""

    measure = models.ForeignKey("Measure", on_delete=models.CASCADE, verbose_name=_("measure"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("district"))

    class Meta:
        db_table = "measures_measure_areas"
        verbose_name = _("district of a measure")
        verbose_name_plural = _("districts of measures")
        constraints = [
            models.UniqueConstraint(fields=["measure", "area"], name="measurearea_unique"),
        ]

    def __str__(self):
        return f"{self.measure} – {self.area}"


class MeasureProblem(models.Model):
    """A problem of the situation report that a measure addresses. Its own
    model so that a problem measures address cannot be deleted (PROTECT)."""

    measure = models.ForeignKey("Measure", on_delete=models.CASCADE, verbose_name=_("measure"))
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, verbose_name=_("problem"))

    class Meta:
        verbose_name = _("problem a measure addresses")
        verbose_name_plural = _("problems measures address")
        constraints = [
            models.UniqueConstraint(fields=["measure", "problem"], name="measureproblem_unique"),
        ]

    def __str__(self):
        return f"{self.measure} – {self.problem}"


class MeasureIndicator(models.Model):
    """An indicator that shows a measure's effect."""

    measure = models.ForeignKey("Measure", on_delete=models.CASCADE, verbose_name=_("measure"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("indicator"))

    class Meta:
        verbose_name = _("indicator of a measure")
        verbose_name_plural = _("indicators of measures")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "indicator"], name="measureindicator_unique"
            ),
        ]

    def __str__(self):
        return f"{self.measure} – {self.indicator}"


class MeasurePromise(models.Model):
    """A citizen promise (medborgarlöfte) that a measure keeps."""

    measure = models.ForeignKey("Measure", on_delete=models.CASCADE, verbose_name=_("measure"))
    promise = models.ForeignKey(
        CitizenPromise, on_delete=models.PROTECT, verbose_name=_("citizen promise")
    )

    class Meta:
        verbose_name = _("citizen promise a measure keeps")
        verbose_name_plural = _("citizen promises measures keep")
        constraints = [
            models.UniqueConstraint(fields=["measure", "promise"], name="measurepromise_unique"),
        ]

    def __str__(self):
        return f"{self.measure} – {self.promise}"


class Measure(models.Model):
    """An åtgärd of the agreement, following BRÅ's action-plan template:
    cause → measure → operational goal → when → who → follow-up."""

    Kind = Kind
    Party = Party
    Status = Status

    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("focus area"),
        help_text=_("The focus area of the agreement that the measure belongs to."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[validate_line],
        help_text=_("A short name that says what is done, e.g. “Night walks in Jordbro centrum”."),
    )
    description = models.TextField(
        _("measure"),
        validators=[validate_text],
        help_text=_("What is done, how and by whom."),
    )
    cause = models.TextField(
        _("cause"),
        validators=[validate_text],
        help_text=_("The problem in the situation picture that the measure addresses."),
    )
    operational_goal = models.TextField(
        _("operational goal"),
        validators=[validate_text],
        help_text=_("What the measure should achieve, in a way that can be followed up."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind,
        help_text=_(
            "Situational measures change places and opportunities; social measures "
            "work with people's conditions and behaviour."
        ),
    )
    is_one_off = models.BooleanField(
        _("one-off effort"),
        default=False,
        help_text=_("A limited effort (punktinsats) rather than part of ordinary work."),
    )
    responsible_party = models.CharField(
        _("responsible party"),
        max_length=20,
        choices=Party,
        help_text=_("Which party of the agreement is responsible for carrying it out."),
    )
    responsible_unit = models.CharField(
        _("responsible unit"),
        max_length=200,
        blank=True,
        validators=[validate_line],
        help_text=_("The department, unit or police group that does the work."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # People who leave are deactivated, not deleted: see measures.admin.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_measures",
        verbose_name=_("contact person"),
        help_text=_("The person to ask about the measure and who reports on it."),
    )
    areas = models.ManyToManyField(
        Area,
        through=MeasureArea,
        blank=True,
        related_name="measures",
        verbose_name=_("districts"),
        help_text=_("The districts the measure concerns; leave empty for the whole municipality."),
    )
    problems = models.ManyToManyField(
        Problem,
        through=MeasureProblem,
        blank=True,
        related_name="measures",
        verbose_name=_("problems"),
        help_text=_("The problems of the situation report that the measure addresses."),
    )
    indicators = models.ManyToManyField(
        Indicator,
        through=MeasureIndicator,
        blank=True,
        related_name="measures",
        verbose_name=_("indicators"),
        help_text=_("The indicators that should show the measure's effect."),
    )
    promises = models.ManyToManyField(
        CitizenPromise,
        through=MeasurePromise,
        blank=True,
        related_name="measures",
        verbose_name=_("citizen promises"),
        help_text=_("The citizen promises (medborgarlöften) the measure helps keep."),
    )
    start_date = models.DateField(
        _("start date"), help_text=_("The first day of the measure (YYYY-MM-DD).")
    )
    end_date = models.DateField(
        _("end date"), help_text=_("The last day of the measure (YYYY-MM-DD).")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.PLANNED,
        help_text=_("Changes with each progress update."),
    )
    is_archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_("Archived measures are kept but hidden from lists and follow-up."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save; guards against overwrites.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    objects = MeasureQuerySet.as_manager()

    history = HistoricalRecords(
        m2m_fields=[areas, problems, indicators, promises],
        custom_model_name=_history_model_name,
        verbose_name=_("history entry of a measure"),
        verbose_name_plural=_("history of measures"),
        excluded_fields=["version", "updated_at", "created_at", "created_by", "updated_by"],
    )

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["start_date", "title"]
        permissions = [("archive_measure", _("Can archive measure"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="measure_start_before_end"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="measure_version_positive"),
            _choices_constraint("kind", Kind, "measure_kind_valid"),
            _choices_constraint("responsible_party", Party, "measure_party_valid"),
            _choices_constraint("status", Status, "measure_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "end_date"], name="measure_status_end_idx"),
            models.Index(fields=["is_archived", "start_date"], name="measure_archived_start_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("measures:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.start_date > self.end_date:
            # A list, so that an end date also outside the period can add its error.
            errors["end_date"] = [
                ValidationError(
                    _("The end date cannot be before the start date."), code="end_before_start"
                )
            ]
        agreement = self.focus_area.agreement if self.focus_area_id else None
        if agreement:
            for field in ("start_date", "end_date"):
                day = getattr(self, field)
                if day and not agreement.covers(day):
                    errors.setdefault(field, []).append(
                        ValidationError(
                            _(
                                "The date must lie within the agreement's validity "
                                "period, %(period)s."
                            ),
                            code="outside_period",
                            params={"period": agreement.period_label},
                        )
                    )
        if errors:
            raise ValidationError(errors)

    def flags(self):
        """(name, label) of the flags annotated by `with_flags`, for display."""
        return [
            (name, label) for name, label in FLAGS.items() if getattr(self, f"flag_{name}", False)
        ]

    def flag_chips(self):
        """(name, short label, full label) of each flag for a table's chips,
        the softer "no problem named" last where `with_problem_link` read it."""
        chips = [(name, FLAG_SHORT[name], label) for name, label in self.flags()]
        if getattr(self, "addresses_problem", True) is False:
            chips.append((NO_PROBLEM, NO_PROBLEM_SHORT, NO_PROBLEM_LABEL))
        return chips

    def assessment_label(self):
        """The current assessment in words, from `with_latest_update`."""
        return dict(ASSESSMENTS)[getattr(self, "latest_assessment", None) or UNASSESSED]

    def assessment_short(self):
        """The current assessment in one word, for tables."""
        return ASSESSMENT_SHORT[getattr(self, "latest_assessment", None) or UNASSESSED]

    def police_may_report(self):
        return self.responsible_party in (self.Party.POLIS, self.Party.GEMENSAM)


# The order that decides a measure's current status, progress and assessment:
# the newest report date wins, and of two reports of one day the later one.
NEWEST_FIRST = ["-reported_on", "-created_at", "-pk"]


class ProgressUpdateQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)

    def awaiting_review(self, reviewer):
        """Updates nobody has reviewed, on live measures, that `reviewer` did
        not write, oldest report date first: the police liaisons' queue."""
        return (
            self.filter(reviews__isnull=True, measure__is_archived=False)
            .exclude(author=reviewer)
            .order_by("reported_on", "created_at", "pk")
        )


class ProgressUpdate(models.Model):
    """An uppföljning: where a measure stands on a given day."""

    Assessment = Assessment

    measure = models.ForeignKey(
        Measure,
        # A measure that has been reported on is archived, not deleted.
        on_delete=models.PROTECT,
        related_name="updates",
        verbose_name=_("measure"),
    )
    reported_on = models.DateField(
        _("reported on"),
        default=timezone.localdate,
        help_text=_("The day the report describes; not in the future."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        help_text=_("The measure's status as of this report; posting moves the measure to it."),
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        validators=[
            MinValueValidator(0, message=_("Progress is given in percent, 0–100.")),
            MaxValueValidator(100, message=_("Progress is given in percent, 0–100.")),
        ],
        help_text=_("How far the measure has come, 0–100 %."),
    )
    assessment = models.CharField(
        _("assessment"),
        max_length=10,
        choices=Assessment,
        help_text=_("Green: on track. Yellow: at risk. Red: off track."),
    )
    summary = models.TextField(
        _("summary"),
        validators=[validate_text],
        help_text=_("What has been done since the last report, and what it led to."),
    )
    next_steps = models.TextField(
        _("next steps"),
        blank=True,
        validators=[validate_text],
        help_text=_("What happens next, and anything the other party should know."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        verbose_name=_("author"),
        help_text=_("Who reported. Left empty in the administration, it is you."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-reported_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="progressupdate_progress_0_100",
            ),
            _choices_constraint("status", Status, "progressupdate_status_valid"),
            _choices_constraint("assessment", Assessment, "progressupdate_assessment_valid"),
        ]
        indexes = [
            models.Index(fields=["measure", "-reported_on"], name="update_measure_reported_idx"),
            # The stale flag asks which measures have an update since a day,
            # and the overview lists the newest; with the measure in the index
            # the first never reads the table.
            models.Index(fields=["reported_on", "measure"], name="update_reported_measure_idx"),
        ]

    def __str__(self):
        return f"{self.measure} ({self.reported_on.isoformat()})"

    def clean(self):
        if not self.reported_on:
            return
        if self.reported_on > timezone.localdate():
            raise ValidationError({"reported_on": _("The report date cannot be in the future.")})
        agreement = self.measure.focus_area.agreement if self.measure_id else None
        if agreement and self.reported_on < agreement.valid_from:
            raise ValidationError(
                {
                    "reported_on": _(
                        "The report date cannot be before the agreement starts, %(start)s."
                    )
                    % {"start": agreement.valid_from.isoformat()}
                }
            )
        # Rule 7: a closed reporting period takes no more reports. A report
        # already in it keeps its place when its text is corrected.
        moved = self._state.adding or (
            ProgressUpdate.objects.filter(pk=self.pk).exclude(reported_on=self.reported_on).exists()
        )
        period = agreement.periods.containing(self.reported_on) if agreement and moved else None
        if period is not None and not period.is_open():
            raise ValidationError(
                {
                    "reported_on": _(
                        "The reporting period %(name)s (%(dates)s) closed on its deadline, "
                        "%(deadline)s, and takes no more reports. Choose a day in an open "
                        "period, or ask an administrator to reopen %(name)s."
                    )
                    % {
                        "name": period.name,
                        "dates": period.dates_label,
                        "deadline": period.deadline.isoformat(),
                    }
                }
            )


class Review(models.Model):
    """A granskning of a progress update by a police liaison."""

    Verdict = Verdict

    progress_update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("progress update"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("reviewer"),
        help_text=_("Who reviewed. Left empty in the administration, it is you."),
    )
    verdict = models.CharField(
        _("verdict"),
        max_length=20,
        choices=Verdict,
        help_text=_("Approve the update, or ask for changes and say which in the comment."),
    )
    comment = models.TextField(
        _("comment"),
        blank=True,
        validators=[validate_text],
        help_text=_("Required when changes are needed."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            _choices_constraint("verdict", Verdict, "review_verdict_valid"),
            # One verdict per report: a report that needs changes is answered
            # with a new report, not a second opinion on the old one.
            models.UniqueConstraint(fields=["progress_update"], name="review_one_per_update"),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()}: {self.progress_update}"

    def clean(self):
        if self.verdict == self.Verdict.NEEDS_CHANGES and not (self.comment or "").strip():
            raise ValidationError({"comment": _("Say what needs to change.")})


class DataVersion(models.Model):
    """A number that every write to the follow-up's data moves (one row).

    Cached pages are keyed by it, so a write is visible on the very next
    request whatever the cache holds. `epoch` changes if the row is ever made
    anew, so numbers counted again never meet old keys.
    """

    epoch = models.CharField(max_length=32)
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.epoch}-{self.number}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Imported")


class RowKind(models.TextChoices):
    ERROR = "error", _("Error")
    NEW = "new", _("New")
    CHANGED = "changed", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")


class ImportBatchQuerySet(models.QuerySet):
    def expired(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__lt=now - ImportBatch.LIFETIME)

    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(created_at__gte=now - ImportBatch.LIFETIME)


class ImportBatch(models.Model):
    """An uploaded spreadsheet, read and checked, waiting for its uploader to
    confirm it: the preview that survives a reload, kept for a day."""

    Status = ImportStatus

    # How long a preview can be confirmed; older ones are deleted at the next upload.
    LIFETIME = datetime.timedelta(hours=24)

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="import_batches",
        verbose_name=_("agreement"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus, default=ImportStatus.PENDING
    )
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    columns = models.JSONField(
        _("columns"), default=list, blank=True, help_text=_("The imported columns the file has.")
    )
    notes = models.JSONField(
        _("notes"), default=list, blank=True, help_text=_("What the reader noticed about the file.")
    )
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("with errors"), default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            _choices_constraint("status", ImportStatus, "importbatch_status_valid"),
        ]
        indexes = [models.Index(fields=["created_at"], name="importbatch_created_idx")]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("measures:import_preview", args=[self.pk])

    @property
    def expires_at(self):
        return self.created_at + self.LIFETIME

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at

    @property
    def row_count(self):
        return self.new_count + self.changed_count + self.unchanged_count + self.error_count

    @property
    def to_save(self):
        return self.new_count + self.changed_count


class ImportRow(models.Model):
    """One row of an uploaded sheet as the preview shows it."""

    Kind = RowKind

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import")
    )
    line = models.PositiveIntegerField(
        _("row"), help_text=_("The row number in the uploaded sheet; the header is row 1.")
    )
    kind = models.CharField(_("result"), max_length=10, choices=RowKind)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measure"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The row's cells as read, so that confirming checks them again against
    # the measures as they are then. A cell holding a personnummer is stored
    # as a marker, never as its text.
    cells = models.JSONField(_("cells"), default=dict)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="importrow_unique_line"),
            _choices_constraint("kind", RowKind, "importrow_kind_valid"),
        ]
        indexes = [models.Index(fields=["batch", "kind", "line"], name="importrow_kind_idx")]

    def __str__(self):
        return f"{self.batch} #{self.line}"
