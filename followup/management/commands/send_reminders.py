import argparse
import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.reminders import DIGEST_WEEKDAY, send_reminders, site_url_error


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date; give it as YYYY-MM-DD, e.g. 2026-03-02."
        ) from None


class Command(BaseCommand):
    help = (
        "Send today's reminders by e-mail, one e-mail per person: the weekly summary of "
        "flagged measures (Mondays), progress updates due before a reporting deadline, "
        "updates waiting for review, updates that need changes and overdue decisions. "
        "Run it daily; what was sent is not sent again, and what failed is retried."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the e-mails instead of sending them; nothing is recorded as sent.",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Act as if it were this day (YYYY-MM-DD); for tests and catching up.",
        )

    def handle(self, *args, dry_run, today, **options):
        problem = site_url_error(settings.SITE_URL)
        if problem:
            raise CommandError(problem + " Nothing was sent.")
        today = today or timezone.localdate()
        weekday = "a Monday: weekly summaries are due" if today.weekday() == DIGEST_WEEKDAY else ""
        self.stdout.write(
            f"Reminders for {today.isoformat()}" + (f" ({weekday})" if weekday else "") + "."
        )

        result = send_reminders(
            today=today, site_url=settings.SITE_URL, dry_run=dry_run, show=self._show
        )

        for line in result.lines:
            self.stdout.write(line)
        for line in result.problems:
            self.stderr.write(line)
        if dry_run:
            summary = f"Dry run: {result.due - result.failed} e-mail(s) would be sent"
        else:
            summary = f"Sent {result.sent} of {result.due} e-mail(s)"
        summary += (
            f"; failed {result.failed}; skipped {result.skipped_inactive} deactivated "
            f"and {result.skipped_no_address} without an e-mail address; "
            f"{result.turned_off} reminder(s) turned off by their readers."
        )
        self.stdout.write(summary)
        if not dry_run and result.due and not result.sent:
            raise CommandError(
                f"Nothing could be sent although {result.due} e-mail(s) were due; "
                "they are tried again on the next run."
            )

    def _show(self, text):
        self.stdout.write(text)
        self.stdout.write("-" * 72)
