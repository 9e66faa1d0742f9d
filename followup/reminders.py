"""The reminders of `send_reminders`: who hears about what, in one e-mail each.

Collecting runs a fixed number of queries whatever the number of measures and
people. Sending writes the `Notification` rows of an e-mail only once the mail
server has accepted it, so a run that fails half-way is finished by the next
one and nobody hears the same thing twice.

An e-mail carries titles, dates and flags only: never the free text of
measures, progress updates, reviews or decisions, which may describe places
and groups in more detail than belongs in an inbox.
"""

import contextlib
import dataclasses
import datetime
import smtplib
from functools import reduce
from operator import or_
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreement.models import ReportingPeriod
from measures.models import NEWEST_FIRST, Measure, ProgressUpdate, Review, flag_conditions
from measures.roles import person_name

from .models import Decision, Notification, NotificationKind, NotificationOptOut

Kind = NotificationKind

# The weekly summary goes out on Mondays (datetime.date.weekday()).
DIGEST_WEEKDAY = 0
# A summary that could not be sent on Monday is retried until Friday.
DIGEST_RETRY_DAYS = 4
# Owners hear this many days before a period's deadline, and on the day.
REPORT_DUE_DAYS_BEFORE = 7
# A progress update waits for review for more than this many days.
REVIEW_WAITING_DAYS = 3
# At most this many waiting updates are listed; the rest are in the queue.
REVIEW_LIST_LIMIT = 10
# The order of the sections in an e-mail.
KIND_ORDER = [
    Kind.REPORT_DUE,
    Kind.NEEDS_CHANGES,
    Kind.DECISION_DUE,
    Kind.REVIEW_WAITING,
    Kind.DIGEST,
]


def site_url_error(value):
    """Why `value` cannot serve as SITE_URL, or None when it can."""
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"SITE_URL {value!r} is not an absolute address: give it with its scheme, "
            "e.g. https://samverkan.haninge.se"
        )
    if parts.query or parts.fragment:
        return f"SITE_URL {value!r} must not have a query or a fragment."
    return None


def _iso_week(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _meeting_path(meeting):
    try:
        return meeting.get_absolute_url()
    except NoReverseMatch:
        # The meeting pages keep the path PRODUCT.md fixes for them.
        return f"/meetings/{meeting.pk}/"


@dataclasses.dataclass
class Item:
    """One line of an e-mail: a title, a few facts (dates, flags) and a link."""

    kind: str
    key: str
    title: str
    path: str
    facts: list = dataclasses.field(default_factory=list)
    measure: Measure | None = None


@dataclasses.dataclass
class Letter:
    """Everything one person hears about in one run."""

    user: object
    items: list = dataclasses.field(default_factory=list)

    def kinds(self):
        present = {item.kind for item in self.items}
        return [kind for kind in KIND_ORDER if kind in present]

    def notifications(self):
        """The (kind, key) pairs this e-mail stands for, once each."""
        return sorted({(item.kind, item.key) for item in self.items})


@dataclasses.dataclass
class Plan:
    """What is due today, per person, and what has nobody to go to."""

    today: datetime.date
    period: ReportingPeriod | None = None
    report_stage: str = ""
    letters: dict = dataclasses.field(default_factory=dict)
    nobody: list = dataclasses.field(default_factory=list)

    def add(self, user, item):
        letter = self.letters.get(user.pk)
        if letter is None:
            letter = self.letters[user.pk] = Letter(user)
        letter.items.append(item)


@dataclasses.dataclass
class Result:
    sent: int = 0
    due: int = 0
    failed: int = 0
    skipped_inactive: int = 0
    skipped_no_address: int = 0
    turned_off: int = 0
    lines: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)


# --- What is due


def _nobody_line(measure, kind):
    if measure.owner is None:
        return (
            f"Measure {measure.pk} “{measure.title}” has no contact person: "
            f"nobody to send the {kind} reminder to."
        )
    return (
        f"Measure {measure.pk} “{measure.title}”: its contact person "
        f"{measure.owner.get_username()} is deactivated, so nobody gets the {kind} reminder."
    )


def _add_for_owner(plan, measure, item):
    """The owner's reminder; a line in the output when nobody can get it. A
    deactivated owner is kept in the plan, to be counted as skipped."""
    if measure.owner is None or not measure.owner.is_active:
        plan.nobody.append(_nobody_line(measure, item.kind))
    if measure.owner is not None:
        plan.add(measure.owner, item)


def _collect_digest(plan, stale_after_days):
    """Mondays: each owner's flagged measures. Until Friday, also for owners
    who had flagged measures on Monday but did not get the summary (the send
    failed, or the job did not run that day); a summary at the weekend would
    come just before the next one."""
    today = plan.today
    monday = today - datetime.timedelta(days=(today.weekday() - DIGEST_WEEKDAY) % 7)
    if (today - monday).days > DIGEST_RETRY_DAYS:
        return
    week = _iso_week(monday)
    measures = (
        Measure.objects.with_flags(today, stale_after_days)
        .filter(is_archived=False)
        .filter(reduce(or_, flag_conditions(today, stale_after_days).values()))
        .select_related("owner")
        .order_by("end_date", "title", "pk")
    )
    owners_on_monday = None
    if today != monday:
        owners_on_monday = set(
            Measure.objects.filter(owner__isnull=False)
            .filter(reduce(or_, flag_conditions(monday, stale_after_days).values()))
            .values_list("owner_id", flat=True)
            .distinct()
        )
    for measure in measures:
        if owners_on_monday is not None and measure.owner_id not in owners_on_monday:
            continue
        flags = [str(label) for _name, label in measure.flags()]
        item = Item(
            Kind.DIGEST,
            week,
            measure.title,
            measure.get_absolute_url(),
            [_dates(measure), *flags],
            measure,
        )
        _add_for_owner(plan, measure, item)


def _dates(measure):
    return f"{measure.start_date.isoformat()} – {measure.end_date.isoformat()}"


def _collect_report_due(plan):
    """Owners of due, unreported measures: in the week before the open
    period's last day (from 7 days before, so a failed send is retried the
    next day), and again on the last day itself."""
    period = ReportingPeriod.objects.for_reporting(plan.today)
    if period is None:
        return
    last_day = max(period.deadline, period.reopened_until or period.deadline)
    days_left = (last_day - plan.today).days
    if days_left == 0:
        stage = "deadline"
    elif 1 <= days_left <= REPORT_DUE_DAYS_BEFORE:
        stage = "week"
    else:
        return
    plan.period, plan.report_stage = period, stage
    measures = (
        Measure.objects.due_in(period)
        .with_reported_in(period)
        .filter(reported_in_period=False)
        .select_related("owner")
        .order_by("end_date", "title", "pk")
    )
    for measure in measures:
        item = Item(
            Kind.REPORT_DUE,
            f"{period.pk}:{measure.pk}:{last_day.isoformat()}:{stage}",
            measure.title,
            reverse("measures:update_create", args=[measure.pk]),
            [_dates(measure)],
            measure,
        )
        _add_for_owner(plan, measure, item)


def _collect_review_waiting(plan):
    """Police liaisons: updates nobody has reviewed for more than three days,
    except their own."""
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            plan.today - datetime.timedelta(days=REVIEW_WAITING_DAYS), datetime.time.min
        )
    )
    updates = list(
        ProgressUpdate.objects.filter(
            reviews__isnull=True, measure__is_archived=False, created_at__lt=cutoff
        )
        .select_related("measure")
        .order_by("reported_on", "created_at", "pk")
    )
    if not updates:
        return
    liaisons = get_user_model().objects.with_perm(
        "measures.add_review",
        is_active=None,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    for liaison in liaisons.order_by("pk"):
        for update in updates:
            if update.author_id == liaison.pk:
                continue
            plan.add(
                liaison,
                Item(
                    Kind.REVIEW_WAITING,
                    f"update-{update.pk}",
                    update.measure.title,
                    reverse("measures:review", args=[update.pk]),
                    [
                        _("reported on %(date)s") % {"date": update.reported_on.isoformat()},
                        _("posted %(date)s")
                        % {"date": timezone.localdate(update.created_at).isoformat()},
                    ],
                    update.measure,
                ),
            )


def _collect_needs_changes(plan):
    """Authors whose newest report on a measure was sent back: each review
    once. A report already answered by a newer one is not mentioned."""
    newest = (
        ProgressUpdate.objects.filter(measure=OuterRef("progress_update__measure"))
        .order_by(*NEWEST_FIRST)
        .values("pk")[:1]
    )
    reviews = (
        Review.objects.filter(
            verdict=Review.Verdict.NEEDS_CHANGES,
            progress_update__measure__is_archived=False,
            progress_update__author__isnull=False,
            progress_update=Subquery(newest),
        )
        .select_related("progress_update__measure", "progress_update__author")
        .order_by("created_at", "pk")
    )
    for review in reviews:
        update = review.progress_update
        plan.add(
            update.author,
            Item(
                Kind.NEEDS_CHANGES,
                f"review-{review.pk}",
                update.measure.title,
                update.measure.get_absolute_url(),
                [
                    _("reported on %(date)s") % {"date": update.reported_on.isoformat()},
                    _("reviewed %(date)s")
                    % {"date": timezone.localdate(review.created_at).isoformat()},
                ],
                update.measure,
            ),
        )


def _collect_decision_due(plan):
    """Owners of open decisions whose due date has passed; again if the date
    is moved and passes once more."""
    decisions = (
        Decision.objects.overdue(plan.today)
        .select_related("owner", "meeting", "measure")
        .order_by("due_on", "pk")
    )
    for decision in decisions:
        facts = [
            _("meeting of %(date)s") % {"date": decision.meeting.held_on.isoformat()},
            _("due %(date)s") % {"date": decision.due_on.isoformat()},
        ]
        if decision.measure_id:
            facts.append(_("measure: %(title)s") % {"title": decision.measure.title})
        item = Item(
            Kind.DECISION_DUE,
            f"decision-{decision.pk}:{decision.due_on.isoformat()}",
            decision.meeting.title,
            _meeting_path(decision.meeting),
            facts,
        )
        if decision.owner is None or not decision.owner.is_active:
            who = "nobody is responsible"
            if decision.owner is not None:
                who = f"{decision.owner.get_username()}, who is responsible, is deactivated"
            plan.nobody.append(
                f"Decision {decision.pk} of the meeting “{decision.meeting.title}” is past "
                f"its due date, but {who}: nobody to send the reminder to."
            )
        if decision.owner is not None:
            plan.add(decision.owner, item)


def collect(*, today, stale_after_days=None):
    """What is due today, before taking out what was sent or turned off."""
    if stale_after_days is None:
        stale_after_days = settings.STALE_AFTER_DAYS
    plan = Plan(today)
    with translation.override(settings.LANGUAGE_CODE):
        _collect_digest(plan, stale_after_days)
        _collect_report_due(plan)
        _collect_review_waiting(plan)
        _collect_needs_changes(plan)
        _collect_decision_due(plan)
    _drop_sent(plan)
    return plan


def _drop_sent(plan):
    """Take out what was sent on an earlier run (one query)."""
    items = [item for letter in plan.letters.values() for item in letter.items]
    if not items:
        return
    keys = {}
    for item in items:
        keys.setdefault(item.kind, set()).add(item.key)
    sent = set(
        Notification.objects.filter(user_id__in=list(plan.letters))
        .filter(reduce(or_, (Q(kind=kind, key__in=sorted(k)) for kind, k in keys.items())))
        .values_list("user_id", "kind", "key")
    )
    for user_id, letter in list(plan.letters.items()):
        letter.items = [i for i in letter.items if (user_id, i.kind, i.key) not in sent]
        if not letter.items:
            del plan.letters[user_id]


# --- The e-mail


def _subject(letter, plan):
    parts = []
    for kind in letter.kinds():
        if kind == Kind.REPORT_DUE:
            parts.append(
                _("progress updates due by %(date)s") % {"date": _last_day(plan.period).isoformat()}
            )
        elif kind == Kind.NEEDS_CHANGES:
            parts.append(_("a progress update needs changes"))
        elif kind == Kind.DECISION_DUE:
            parts.append(_("decisions past their due date"))
        elif kind == Kind.REVIEW_WAITING:
            parts.append(_("progress updates waiting for review"))
        elif kind == Kind.DIGEST:
            parts.append(_("weekly summary"))
    return _("Samverkan Haninge: %(topics)s") % {"topics": ", ".join(parts)}


def _last_day(period):
    return max(period.deadline, period.reopened_until or period.deadline)


def _section(kind, items, plan, site_url):
    count = len(items)
    if kind == Kind.REPORT_DUE:
        period = plan.period
        heading = _("Progress updates for %(period)s due by %(date)s") % {
            "period": period.name,
            "date": _last_day(period).isoformat(),
        }
        if plan.report_stage == "deadline":
            intro = ngettext(
                "Today is the last day to report for the period %(dates)s. This measure "
                "of yours has no progress update for it yet:",
                "Today is the last day to report for the period %(dates)s. These %(count)d "
                "measures of yours have no progress update for it yet:",
                count,
            )
        else:
            intro = ngettext(
                "Reports for the period %(dates)s are due within a week. This measure of "
                "yours has no progress update for it yet:",
                "Reports for the period %(dates)s are due within a week. These %(count)d "
                "measures of yours have no progress update for it yet:",
                count,
            )
        intro = intro % {"dates": period.dates_label, "count": count}
    elif kind == Kind.NEEDS_CHANGES:
        heading = _("Progress updates that need changes")
        intro = ngettext(
            "A reviewer asked for changes to your report. See what to change on the "
            "measure's page and post a new progress update:",
            "Reviewers asked for changes to %(count)d of your reports. See what to change "
            "on each measure's page and post a new progress update:",
            count,
        ) % {"count": count}
    elif kind == Kind.DECISION_DUE:
        heading = _("Decisions past their due date")
        intro = ngettext(
            "You are responsible for a decision of the steering group that is still open "
            "although its due date has passed:",
            "You are responsible for %(count)d decisions of the steering group that are "
            "still open although their due dates have passed:",
            count,
        ) % {"count": count}
    elif kind == Kind.REVIEW_WAITING:
        heading = _("Progress updates waiting for review")
        intro = ngettext(
            "This progress update has waited for review for more than %(days)d days:",
            "These %(count)d progress updates have waited for review for more than %(days)d days:",
            count,
        ) % {"count": count, "days": REVIEW_WAITING_DAYS}
    else:
        heading = _("Your flagged measures, week %(week)s") % {"week": plan.today.isocalendar()[1]}
        intro = ngettext(
            "This measure of yours is flagged in the follow-up. The flags say why:",
            "These %(count)d measures of yours are flagged in the follow-up. The flags say why:",
            count,
        ) % {"count": count}
    section = {
        "kind": kind,
        "heading": heading,
        "intro": intro,
        "items": [
            {"title": item.title, "facts": item.facts, "url": site_url + item.path}
            for item in items
        ],
    }
    if kind == Kind.REVIEW_WAITING and count > REVIEW_LIST_LIMIT:
        # A long queue reads better on its page than in an e-mail.
        section["items"] = section["items"][:REVIEW_LIST_LIMIT]
        section["more"] = ngettext(
            "… and %(count)d more in the review queue:",
            "… and %(count)d more in the review queue:",
            count - REVIEW_LIST_LIMIT,
        ) % {"count": count - REVIEW_LIST_LIMIT}
        section["more_url"] = site_url + reverse("measures:review_queue")
    return section


def build_message(letter, plan, *, site_url, from_email=None):
    """The e-mail to one person: Swedish, plain text with an HTML alternative."""
    with translation.override(settings.LANGUAGE_CODE):
        user = letter.user
        context = {
            "name": user.first_name or person_name(user),
            "sections": [
                _section(kind, [i for i in letter.items if i.kind == kind], plan, site_url)
                for kind in letter.kinds()
            ],
            "site_url": site_url,
            "settings_url": site_url + reverse("notifications"),
        }
        subject = _subject(letter, plan)
        text = render_to_string("email/reminders.txt", context)
        html = render_to_string("email/reminders.html", {**context, "subject": subject})
    message = EmailMultiAlternatives(
        subject, text, from_email or settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.attach_alternative(html, "text/html")
    return message


# --- Sending


def _turned_off(plan):
    """Take out the kinds each person turned off (one query); how many items went."""
    if not plan.letters:
        return 0
    off = set(
        NotificationOptOut.objects.filter(user_id__in=list(plan.letters)).values_list(
            "user_id", "kind"
        )
    )
    dropped = 0
    for user_id, letter in list(plan.letters.items()):
        kept = [i for i in letter.items if (user_id, i.kind) not in off]
        dropped += len(letter.items) - len(kept)
        letter.items = kept
        if not kept:
            del plan.letters[user_id]
    return dropped


def _record(letter):
    Notification.objects.bulk_create(
        [
            Notification(user=letter.user, kind=kind, key=key)
            for kind, key in letter.notifications()
        ],
        ignore_conflicts=True,
    )


def _text(reply):
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _close_quietly(connection):
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()


def _ready(connection):
    """Open the connection, or open it again when the server dropped it after
    the last e-mail (relays close connections after a number of messages or
    a pause); raises OSError when the server cannot be reached."""
    smtp = getattr(connection, "connection", None)  # only the SMTP backend has one
    if smtp is not None:
        try:
            alive = smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            alive = False
        if not alive:
            _close_quietly(connection)
    connection.open()


def _addressed(plan, result):
    """The letters that can go out: to active people with a valid address."""
    letters = []
    for letter in sorted(plan.letters.values(), key=lambda x: x.user.get_username()):
        user = letter.user
        username = user.get_username()
        if not user.is_active:
            result.skipped_inactive += 1
            result.lines.append(f"Skipped {username}: deactivated.")
            continue
        if not user.email:
            result.skipped_no_address += 1
            result.lines.append(f"Skipped {username}: no e-mail address.")
            continue
        result.due += 1
        try:
            validate_email(user.email)
        except ValidationError:
            result.failed += 1
            result.problems.append(
                f"Not sent to {username}: {user.email!r} is not an e-mail address. "
                "Correct it in the administration; the reminder goes out on the next run."
            )
            continue
        letters.append(letter)
    return letters


def send_reminders(*, today, site_url, dry_run=False, show=None):
    """Send what is due today, one e-mail per person; returns a Result.

    `show(text)` receives each e-mail's plain text on a dry run, which sends
    and records nothing.
    """
    site_url = site_url.rstrip("/")
    result = Result()
    plan = collect(today=today)
    result.problems.extend(plan.nobody)
    result.turned_off = _turned_off(plan)
    letters = _addressed(plan, result)
    if dry_run:
        for letter in letters:
            message = build_message(letter, plan, site_url=site_url)
            show(f"To: {letter.user.email}\nSubject: {message.subject}\n\n{message.body}")
        return result

    connection = get_connection(fail_silently=False)
    try:
        for index, letter in enumerate(letters):
            username = letter.user.get_username()
            message = build_message(letter, plan, site_url=site_url)
            message.connection = connection
            try:
                _ready(connection)
            except OSError as exc:
                left = len(letters) - index
                result.failed += left
                result.problems.append(
                    f"The mail server could not be reached or refused the connection "
                    f"({exc.__class__.__name__}: {exc}): {left} e-mail(s) were not sent and "
                    "go out on the next run."
                )
                break
            try:
                message.send()
            except smtplib.SMTPRecipientsRefused as exc:
                result.failed += 1
                reasons = "; ".join(
                    f"{code} {_text(reply)}" for code, reply in exc.recipients.values()
                )
                result.problems.append(
                    f"Not sent to {username} <{letter.user.email}>: the mail server refused "
                    f"the address ({reasons}). Retried on the next run."
                )
                continue
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                result.failed += 1
                result.problems.append(
                    f"Not sent to {username} <{letter.user.email}>: {exc.__class__.__name__}: "
                    f"{exc}. Retried on the next run."
                )
                # The connection may be half-closed; the next e-mail opens a new one.
                _close_quietly(connection)
                continue
            _record(letter)
            result.sent += 1
            kinds = ", ".join(letter.kinds())
            result.lines.append(f"Sent to {username} <{letter.user.email}>: {kinds}.")
    finally:
        _close_quietly(connection)
    return result
