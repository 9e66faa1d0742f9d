import unicodedata

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.utils import timezone
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
