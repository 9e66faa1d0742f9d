"""A small follow-up with one reminder of each kind due, for the reminder tests.

Dates are those of the Haninge tertials: T1 2026 runs 2026-01-01 – 04-30 and
takes reports until 2026-05-14.
"""

import datetime
import io
from types import SimpleNamespace

from django.core.management import call_command
from django.utils import timezone

from followup.models import Decision, Meeting
from measures.models import Measure, ProgressUpdate, Review

# Written into every free-text field; no e-mail may ever carry it.
MARKER = "HEMLIG-FRITEXT-7Q"

WEEK_BEFORE = datetime.date(2026, 5, 7)  # a Thursday, 7 days before T1 2026's deadline
MONDAY = datetime.date(2026, 5, 11)  # inside that week, and a Monday
DEADLINE = datetime.date(2026, 5, 14)
QUIET_MONDAY = datetime.date(2026, 6, 1)  # a Monday with no period deadline near
SITE_URL = "https://samverkan.example.se"


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def free_text(label):
    return f"{label} {MARKER}"


def build_world(*, officer, other_officer, liaison, make_measure, make_update, agreement):
    """Who gets what, on MONDAY:

    - officer: the weekly summary, a report due, a report that needs changes
      and an overdue decision;
    - other_officer: the weekly summary and a report due;
    - liaison: an update that has waited for review for more than 3 days.
    """
    for user in (officer, other_officer, liaison):
        user.email = f"{user.username}@example.se"
        user.save(update_fields=["email"])

    texts = {
        "description": free_text("Beskrivning"),
        "cause": free_text("Orsak"),
        "operational_goal": free_text("Mål"),
    }
    unreported = make_measure(title="Nattvandring i Jordbro centrum", **texts)
    sent_back = make_measure(
        title="Trygghetsvandring i Brandbergen", status=Measure.Status.IN_PROGRESS, **texts
    )
    waiting = make_measure(
        title="Skolsamverkan i Vendelsö", status=Measure.Status.IN_PROGRESS, **texts
    )
    colleagues = make_measure(title="Belysning i Handen", owner=other_officer, **texts)

    rejected = make_update(
        sent_back,
        reported_on=datetime.date(2026, 4, 20),
        summary=free_text("Sammanfattning"),
        next_steps=free_text("Nästa steg"),
        author=officer,
    )
    review = Review.objects.create(
        progress_update=rejected,
        reviewer=liaison,
        verdict=Review.Verdict.NEEDS_CHANGES,
        comment=free_text("Kommentar"),
    )
    Review.objects.filter(pk=review.pk).update(created_at=at(datetime.date(2026, 5, 2)))
    pending = make_update(
        waiting,
        reported_on=datetime.date(2026, 4, 25),
        summary=free_text("Sammanfattning"),
        next_steps=free_text("Nästa steg"),
        author=officer,
    )
    ProgressUpdate.objects.filter(pk__in=[rejected.pk, pending.pk]).update(
        created_at=at(datetime.date(2026, 5, 1))
    )

    meeting = Meeting.objects.create(
        agreement=agreement,
        held_on=datetime.date(2026, 3, 10),
        title="Styrgrupp, uppföljning av T3 2025",
        participants=free_text("Deltagare"),
        notes=free_text("Protokoll"),
    )
    decision = Decision.objects.create(
        meeting=meeting,
        text=free_text("Beslut"),
        owner=officer,
        due_on=datetime.date(2026, 4, 30),
        measure=unreported,
    )
    return SimpleNamespace(
        officer=officer,
        other_officer=other_officer,
        liaison=liaison,
        unreported=unreported,
        sent_back=sent_back,
        waiting=waiting,
        colleagues=colleagues,
        rejected=rejected,
        review=review,
        pending=pending,
        meeting=meeting,
        decision=decision,
    )


class Run:
    """The output of one run of send_reminders."""

    def __init__(self, stdout, stderr, error=None):
        self.stdout = stdout
        self.stderr = stderr
        self.error = error

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def failed(self):
        return self.error is not None


def run(*args, today=MONDAY):
    """send_reminders as cron runs it; a CommandError is kept, not raised."""
    from django.core.management.base import CommandError

    stdout, stderr = io.StringIO(), io.StringIO()
    command_args = ["send_reminders", *args]
    if today is not None:
        command_args += ["--today", today.isoformat()]
    try:
        call_command(*command_args, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        return Run(stdout.getvalue(), stderr.getvalue(), exc)
    return Run(stdout.getvalue(), stderr.getvalue())
