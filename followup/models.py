from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
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


class NotificationKind(models.TextChoices):
    """The reminders of send_reminders; each can be turned off by its reader."""

    DIGEST = "digest", _("Weekly summary of my flagged measures")
    REPORT_DUE = "report_due", _("Progress updates due before a reporting deadline")
    REVIEW_WAITING = "review_waiting", _("Progress updates waiting for review")
    NEEDS_CHANGES = "needs_changes", _("My progress updates that need changes")
    DECISION_DUE = "decision_due", _("Decisions of mine that are past their due date")


class Notification(models.Model):
    """One reminder that was sent: who got which kind about what (`key`).

    Only a reminder the mail server accepted is written here, so the next run
    sends what is missing and nothing twice."""

    Kind = NotificationKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A log of e-mails sent; it goes with the person if they are deleted.
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    key = models.CharField(
        _("key"),
        max_length=100,
        help_text=_(
            "What the reminder was about, e.g. the week of a summary or the "
            "progress update waiting for review."
        ),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="notification_unique_user_kind_key"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"


class NotificationOptOutQuerySet(models.QuerySet):
    def kinds_off(self, user):
        return set(self.filter(user=user).values_list("kind", flat=True))

    def set_kinds_off(self, user, kinds):
        """Keep exactly `kinds` turned off for `user`; the others are on."""
        kinds = set(kinds)
        with transaction.atomic():
            self.filter(user=user).exclude(kind__in=kinds).delete()
            self.bulk_create(
                [NotificationOptOut(user=user, kind=kind) for kind in sorted(kinds)],
                ignore_conflicts=True,
            )


class NotificationOptOut(models.Model):
    """A kind of reminder a person has turned off. Everything is on until
    they turn it off at /accounts/notifications/."""

    Kind = NotificationKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)

    objects = NotificationOptOutQuerySet.as_manager()

    class Meta:
        verbose_name = _("turned-off reminder")
        verbose_name_plural = _("turned-off reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notificationoptout_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values),
                name="notificationoptout_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"
