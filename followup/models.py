from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreement.models import Agreement, ReportingPeriod
from agreement.validators import validate_line, validate_text
from measures.models import Measure


class MeetingQuerySet(models.QuerySet):
    def frozen(self):
        return self.filter(frozen_at__isnull=False)


class Meeting(models.Model):
    """A meeting of the steering group (styrgrupp) of kommun and polis,
    usually about one reporting period. Freezing it stores the period's
    report as it stood, for the minutes in the diarium."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("agreement")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("reporting period"),
        help_text=_("The period the meeting follows up; its report is frozen with the minutes."),
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[validate_line],
        help_text=_("E.g. “Steering group, follow-up of T1 2026”."),
    )
    participants = models.TextField(
        _("participants"),
        blank=True,
        validators=[validate_text],
        help_text=_("Roles and organisations, e.g. “Kommundirektör, Haninge kommun”."),
    )
    notes = models.TextField(
        _("minutes"), blank=True, validators=[validate_text], help_text=_("What was discussed.")
    )
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("frozen by"),
    )
    snapshot = models.JSONField(_("frozen report"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["snapshot"],
        verbose_name=_("history entry of a meeting"),
        verbose_name_plural=_("history of meetings"),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            # A frozen meeting has its report and who froze it, all or nothing.
            models.CheckConstraint(
                condition=(
                    Q(frozen_at__isnull=True, snapshot__isnull=True)
                    | Q(frozen_at__isnull=False, snapshot__isnull=False)
                ),
                name="meeting_frozen_with_snapshot",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("followup:meeting", args=[self.pk])

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    def clean(self):
        if self.period_id and self.agreement_id and self.period.agreement_id != self.agreement_id:
            raise ValidationError({"period": _("The period belongs to another agreement.")})


class DecisionQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Open decisions whose due date has passed."""
        today = today or timezone.localdate()
        return self.filter(status=Decision.Status.OPEN, due_on__lt=today)


class Decision(models.Model):
    """A decision (beslut) of a steering-group meeting, with who does it by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    text = models.TextField(_("decision"), validators=[validate_text])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("responsible"),
        help_text=_("Who sees to it that the decision is carried out."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("measure"),
        help_text=_("The measure the decision concerns, if any."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("history entry of a decision"),
        verbose_name_plural=_("history of decisions"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done"]), name="decision_status_valid"
            ),
            # Done decisions say when; open ones have no such day.
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | Q(status="open", done_on__isnull=True),
                name="decision_done_on_when_done",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if self.due_on and self.meeting_id and self.due_on < self.meeting.held_on:
            raise ValidationError(
                {
                    "due_on": _("The decision cannot be due before its meeting, %(held_on)s.")
                    % {"held_on": self.meeting.held_on.isoformat()}
                }
            )
        if (
            self.measure_id
            and self.meeting_id
            and self.measure.focus_area.agreement_id != self.meeting.agreement_id
        ):
            raise ValidationError({"measure": _("The measure belongs to another agreement.")})
