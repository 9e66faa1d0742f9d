"""send_reminders: who hears about what and when, once, in one Swedish e-mail
per person, with titles, dates, flags and absolute links only.

These tests use Django's in-memory outbox; tests/test_reminders_smtp.py sends
the same e-mails to a real SMTP server.
"""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.models import Decision, Notification, NotificationOptOut
from measures.models import Measure, ProgressUpdate, Review

from .reminder_world import (
    DEADLINE,
    MARKER,
    MONDAY,
    QUIET_MONDAY,
    SITE_URL,
    WEEK_BEFORE,
    at,
    build_world,
    run,
)

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.DEFAULT_FROM_EMAIL = "Samverkan Haninge <samverkan@haninge.se>"


@pytest.fixture
def world(officer, other_officer, liaison, make_measure, make_update, agreement):
    return build_world(
        officer=officer,
        other_officer=other_officer,
        liaison=liaison,
        make_measure=make_measure,
        make_update=make_update,
        agreement=agreement,
    )


def _to(mailoutbox, user):
    found = [m for m in mailoutbox if m.to == [user.email]]
    assert len(found) <= 1, f"{user} got {len(found)} e-mails in one run"
    return found[0] if found else None


def _html(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- One e-mail per person, grouping everything


def test_each_person_gets_one_swedish_email_with_everything_due(world, mailoutbox):
    result = run(today=MONDAY)

    assert not result.failed, result.output
    assert sorted(m.to[0] for m in mailoutbox) == [
        "liaison@example.se",
        "officer2@example.se",
        "officer@example.se",
    ]
    mail = _to(mailoutbox, world.officer)
    assert mail.from_email == "Samverkan Haninge <samverkan@haninge.se>"
    assert mail.subject == (
        "Samverkan Haninge: uppföljning senast 2026-05-14, uppföljning behöver kompletteras, "
        "försenade beslut, veckosammanfattning"
    )
    body = mail.body
    assert body.startswith("Hej Test!")
    for heading in [
        "UPPFÖLJNING FÖR T1 2026 SKA LÄMNAS SENAST 2026-05-14",
        "UPPFÖLJNINGAR SOM BEHÖVER KOMPLETTERAS",
        "BESLUT SOM ÄR FÖRSENADE",
        "DINA ÅTGÄRDER MED FLAGGOR, VECKA 20",
    ]:
        assert heading in body
    # Titles, dates and flags …
    assert "Nattvandring i Jordbro centrum (2025-03-01 – 2026-06-30)" in body
    assert "Nattvandring i Jordbro centrum (2025-03-01 – 2026-06-30, Inte påbörjad)" in body
    assert "Trygghetsvandring i Brandbergen (avser 2026-04-20, granskad 2026-05-02)" in body
    assert (
        "Styrgrupp, uppföljning av T3 2025 (mötet 2026-03-10, skulle vara klart 2026-04-30, "
        "åtgärd: Nattvandring i Jordbro centrum)"
    ) in body
    # … with absolute links to where the work is done.
    assert f"{SITE_URL}/measures/{world.unreported.pk}/updates/new/" in body
    assert f"{SITE_URL}/measures/{world.sent_back.pk}/" in body
    assert f"{SITE_URL}/meetings/{world.meeting.pk}/" in body
    assert f"{SITE_URL}/measures/{world.unreported.pk}/" in body
    assert f"{SITE_URL}/accounts/notifications/" in body

    html = _html(mail)
    assert '<html lang="sv">' in html
    assert f'<a href="{SITE_URL}/measures/{world.unreported.pk}/updates/new/">' in html
    assert "Uppföljningar som behöver kompletteras" in html

    liaison_mail = _to(mailoutbox, world.liaison)
    assert liaison_mail.subject == "Samverkan Haninge: uppföljningar väntar på granskning"
    assert f"{SITE_URL}/updates/{world.pending.pk}/review/" in liaison_mail.body
    assert "Skolsamverkan i Vendelsö (avser 2026-04-25, inlämnad 2026-05-01)" in (liaison_mail.body)
    colleague_mail = _to(mailoutbox, world.other_officer)
    assert "Belysning i Handen" in colleague_mail.body
    assert "Nattvandring" not in colleague_mail.body


def test_no_email_carries_the_free_text_of_measures_updates_reviews_or_decisions(world, mailoutbox):
    run(today=MONDAY)
    assert len(mailoutbox) == 3
    for mail in mailoutbox:
        for text in (mail.subject, mail.body, _html(mail), mail.message().as_string()):
            assert MARKER not in text


def test_links_are_absolute_and_point_at_site_url(world, mailoutbox):
    run(today=MONDAY)
    for mail in mailoutbox:
        links = re.findall(r"https?://\S+", mail.body)
        assert links
        assert all(link.startswith(f"{SITE_URL}/") for link in links), links
        hrefs = re.findall(r'href="([^"]+)"', _html(mail))
        assert hrefs
        assert all(href.startswith(f"{SITE_URL}/") for href in hrefs), hrefs


def test_a_second_run_sends_nothing_twice(world, mailoutbox):
    first = run(today=MONDAY)
    assert "Sent 3 of 3 e-mail(s)" in first.stdout
    second = run(today=MONDAY)
    assert not second.failed
    assert len(mailoutbox) == 3
    assert "Sent 0 of 0 e-mail(s)" in second.stdout
    # Nor on the days after: everything due then was said already.
    run(today=MONDAY + datetime.timedelta(days=1))
    assert len(mailoutbox) == 3


def test_what_was_sent_is_recorded_by_kind_and_key(world, mailoutbox):
    run(today=MONDAY)
    period = world.unreported.focus_area.agreement.periods.get(name="T1 2026")
    rows = set(Notification.objects.values_list("user__username", "kind", "key"))
    assert rows == {
        ("officer", Kind.DIGEST, "2026-W20"),
        ("officer", Kind.REPORT_DUE, f"{period.pk}:{world.unreported.pk}:2026-05-14:week"),
        ("officer", Kind.NEEDS_CHANGES, f"review-{world.review.pk}"),
        ("officer", Kind.DECISION_DUE, f"decision-{world.decision.pk}:2026-04-30"),
        ("officer2", Kind.DIGEST, "2026-W20"),
        ("officer2", Kind.REPORT_DUE, f"{period.pk}:{world.colleagues.pk}:2026-05-14:week"),
        ("liaison", Kind.REVIEW_WAITING, f"update-{world.pending.pk}"),
    }


# --- When each kind is due


def test_the_weekly_summary_goes_out_on_mondays(world, mailoutbox):
    sunday = QUIET_MONDAY - datetime.timedelta(days=1)
    Notification.objects.all().delete()
    Review.objects.all().delete()
    Decision.objects.all().delete()
    ProgressUpdate.objects.all().delete()

    # Sundays are not Mondays, nor is a Saturday a day to catch up on the
    # week's summary (the next comes on Monday).
    run(today=sunday)
    run(today=sunday - datetime.timedelta(days=1))
    assert mailoutbox == []

    run(today=QUIET_MONDAY)
    assert sorted(m.to[0] for m in mailoutbox) == ["officer2@example.se", "officer@example.se"]
    assert all(m.subject == "Samverkan Haninge: veckosammanfattning" for m in mailoutbox)
    assert "DINA ÅTGÄRDER MED FLAGGOR, VECKA 23" in mailoutbox[0].body

    # Once a week: not again on Tuesday, again next Monday.
    run(today=QUIET_MONDAY + datetime.timedelta(days=1))
    assert len(mailoutbox) == 2
    run(today=QUIET_MONDAY + datetime.timedelta(days=7))
    assert len(mailoutbox) == 4


def test_a_missed_monday_summary_goes_out_later_that_week_to_those_due_on_monday(
    world, make_measure, mailoutbox
):
    for model in (Review, Decision, ProgressUpdate):
        model.objects.all().delete()
    tuesday = QUIET_MONDAY + datetime.timedelta(days=1)
    # Flagged only from Tuesday (planned, starting on Monday): its owner waits
    # for next Monday rather than getting a summary mid-week.
    newcomer = make_measure(title="Fältgrupp", start_date=QUIET_MONDAY)
    newcomer.owner = world.liaison
    newcomer.save()

    run(today=tuesday)  # Monday's run did not happen

    assert sorted(m.to[0] for m in mailoutbox) == ["officer2@example.se", "officer@example.se"]
    assert "VECKA 23" in mailoutbox[0].body
    run(today=tuesday + datetime.timedelta(days=1))
    assert len(mailoutbox) == 2
    # The newcomer's first summary comes on the next Monday, with the others'.
    run(today=tuesday + datetime.timedelta(days=6))
    assert sorted(m.to[0] for m in mailoutbox[2:]) == [
        "liaison@example.se",
        "officer2@example.se",
        "officer@example.se",
    ]


def test_reports_due_a_week_before_the_deadline_and_on_the_day(world, mailoutbox):
    for model in (Review, Decision):
        model.objects.all().delete()
    ProgressUpdate.objects.filter(pk=world.pending.pk).delete()

    def report_due_mail(day):
        mailoutbox.clear()
        run(today=day)
        return [m for m in mailoutbox if "uppföljning senast" in m.subject]

    assert report_due_mail(WEEK_BEFORE - datetime.timedelta(days=1)) == []
    week = report_due_mail(WEEK_BEFORE)
    assert sorted(m.to[0] for m in week) == ["officer2@example.se", "officer@example.se"]
    officer_mail = next(m for m in week if m.to == ["officer@example.se"])
    assert "ska vara inlämnad inom en vecka" in officer_mail.body
    assert "Nattvandring i Jordbro centrum" in officer_mail.body
    assert "Skolsamverkan i Vendelsö" in officer_mail.body  # its report was deleted above
    assert "Trygghetsvandring" not in officer_mail.body  # reported in the period

    # The officer reports on one of the two in between.
    ProgressUpdate.objects.create(
        measure=world.waiting,
        reported_on=datetime.date(2026, 4, 28),
        status=Measure.Status.IN_PROGRESS,
        progress=50,
        assessment="green",
        summary="Klart för perioden.",
        author=world.officer,
    )
    assert report_due_mail(WEEK_BEFORE + datetime.timedelta(days=1)) == []
    deadline = report_due_mail(DEADLINE)
    officer_mail = next(m for m in deadline if m.to == ["officer@example.se"])
    assert "I dag är sista dagen att lämna uppföljning" in officer_mail.body
    assert "Nattvandring i Jordbro centrum" in officer_mail.body
    assert "Skolsamverkan i Vendelsö" not in officer_mail.body
    # After the deadline the period is closed: nothing more about it.
    assert report_due_mail(DEADLINE + datetime.timedelta(days=1)) == []


def test_a_failed_week_reminder_is_retried_the_next_day(world, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    failed = run(today=WEEK_BEFORE)
    assert failed.failed
    assert not Notification.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(today=WEEK_BEFORE + datetime.timedelta(days=1))
    assert any("uppföljning senast 2026-05-14" in m.subject for m in mailoutbox)


def test_review_reminders_after_more_than_three_days_never_about_ones_own(
    world, make_measure, make_update, mailoutbox
):
    for model in (Review, Decision):
        model.objects.all().delete()
    ProgressUpdate.objects.filter(pk=world.rejected.pk).delete()
    # Posted on 2026-05-01: on 05-04 it has waited three days, on 05-05 more.
    mailoutbox.clear()
    run(today=datetime.date(2026, 5, 4))
    assert not [m for m in mailoutbox if m.to == [world.liaison.email]]

    own = make_update(make_measure(title="Polisens egen insats"), author=world.liaison)
    archived = make_update(make_measure(title="Arkiverad insats", is_archived=True))
    ProgressUpdate.objects.filter(pk__in=[own.pk, archived.pk]).update(
        created_at=at(datetime.date(2026, 4, 1))
    )
    run(today=datetime.date(2026, 5, 5))
    mail = _to(mailoutbox, world.liaison)
    assert "Skolsamverkan i Vendelsö" in mail.body
    assert "Polisens egen insats" not in mail.body
    assert "Arkiverad insats" not in mail.body
    # The officer is no reviewer: the liaison's own update does not reach them.
    officer_mail = _to(mailoutbox, world.officer)
    assert officer_mail is None or "granskning" not in officer_mail.subject


def test_a_long_review_queue_is_listed_in_part_with_a_link_to_it(
    world, make_measure, make_update, mailoutbox
):
    measure = make_measure(title="Många rapporter")
    for day in range(1, 13):
        make_update(measure, reported_on=datetime.date(2026, 4, day))
    ProgressUpdate.objects.update(created_at=at(datetime.date(2026, 5, 1)))
    Review.objects.all().delete()
    run(today=MONDAY)
    mail = _to(mailoutbox, world.liaison)
    assert "De här 14 uppföljningarna har väntat på granskning i mer än 3 dagar" in mail.body
    assert mail.body.count("/review/") == 10
    assert f"… och 4 till i granskningskön:\n{SITE_URL}/reviews/" in mail.body


def test_needs_changes_only_while_no_newer_report_answers_it(world, make_update, mailoutbox):
    make_update(world.sent_back, reported_on=datetime.date(2026, 5, 5), author=world.officer)
    run(today=MONDAY)
    mail = _to(mailoutbox, world.officer)
    assert "behöver kompletteras" not in mail.subject
    assert not Notification.objects.filter(kind=Kind.NEEDS_CHANGES).exists()


def test_decisions_are_due_once_past_their_date_and_again_when_moved(world, mailoutbox):
    run(today=datetime.date(2026, 4, 30))  # the due day itself
    assert not Notification.objects.filter(kind=Kind.DECISION_DUE).exists()
    run(today=MONDAY)
    assert Notification.objects.filter(kind=Kind.DECISION_DUE).count() == 1

    Decision.objects.filter(pk=world.decision.pk).update(due_on=datetime.date(2026, 5, 20))
    run(today=datetime.date(2026, 5, 21))
    assert Notification.objects.filter(kind=Kind.DECISION_DUE).count() == 2

    Decision.objects.filter(pk=world.decision.pk).update(
        status=Decision.Status.DONE, done_on=datetime.date(2026, 5, 22), due_on=None
    )
    mailoutbox.clear()
    run(today=datetime.date(2026, 6, 1))
    assert all("beslut" not in m.subject for m in mailoutbox)


# --- Opt-outs, and people the reminders cannot reach


def test_a_kind_turned_off_is_not_sent_and_is_counted(world, mailoutbox):
    NotificationOptOut.objects.set_kinds_off(world.officer, {Kind.DIGEST, Kind.DECISION_DUE})
    NotificationOptOut.objects.set_kinds_off(world.liaison, {Kind.REVIEW_WAITING})
    result = run(today=MONDAY)
    mail = _to(mailoutbox, world.officer)
    assert mail.subject == (
        "Samverkan Haninge: uppföljning senast 2026-05-14, uppföljning behöver kompletteras"
    )
    assert "FLAGGOR" not in mail.body
    assert _to(mailoutbox, world.liaison) is None
    assert "3 reminder(s) turned off by their readers" in result.stdout
    # Turned off is not sent: turning it on again sends it on the next run.
    assert _kinds(world.officer) == [Kind.NEEDS_CHANGES, Kind.REPORT_DUE]
    NotificationOptOut.objects.set_kinds_off(world.officer, set())
    run(today=MONDAY)
    assert _kinds(world.officer) == sorted(
        [Kind.DECISION_DUE, Kind.DIGEST, Kind.NEEDS_CHANGES, Kind.REPORT_DUE]
    )


def test_deactivated_people_and_people_without_an_address_are_skipped_and_counted(
    world, mailoutbox
):
    world.other_officer.is_active = False
    world.other_officer.save()
    world.liaison.email = ""
    world.liaison.save()

    result = run(today=MONDAY)

    assert [m.to for m in mailoutbox] == [["officer@example.se"]]
    assert "skipped 1 deactivated and 1 without an e-mail address" in result.stdout
    assert "Skipped officer2: deactivated." in result.stdout
    assert "Skipped liaison: no e-mail address." in result.stdout
    # Their measure has nobody to go to, and the run says so.
    assert (
        f"Measure {world.colleagues.pk} “Belysning i Handen”: its contact person officer2 "
        "is deactivated, so nobody gets the report_due reminder."
    ) in result.stderr
    assert not result.failed
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"officer"}


def test_a_measure_without_contact_person_is_a_line_in_the_output(world, make_measure, mailoutbox):
    orphan = make_measure(title="Ingen ansvarig", owner=None)
    result = run(today=MONDAY)
    assert not result.failed
    assert (
        f"Measure {orphan.pk} “Ingen ansvarig” has no contact person: nobody to send the "
        "report_due reminder to."
    ) in result.stderr
    assert (
        f"Measure {orphan.pk} “Ingen ansvarig” has no contact person: nobody to send the "
        "digest reminder to."
    ) in result.stderr


def test_an_address_that_is_not_an_address_is_reported_and_retried(world, mailoutbox):
    world.other_officer.email = "officer2 at haninge"
    world.other_officer.save()

    result = run(today=MONDAY)

    assert not result.failed  # the others got theirs
    assert "Not sent to officer2: 'officer2 at haninge' is not an e-mail address." in result.stderr
    assert "Sent 2 of 3 e-mail(s); failed 1" in result.stdout
    assert not Notification.objects.filter(user=world.other_officer).exists()

    world.other_officer.email = "officer2@example.se"
    world.other_officer.save()
    run(today=MONDAY)
    assert [m.to for m in mailoutbox][-1] == ["officer2@example.se"]
    assert len(mailoutbox) == 3


def test_nothing_sendable_although_something_was_due_exits_non_zero(world, mailoutbox):
    for user in (world.officer, world.other_officer, world.liaison):
        user.email = "not-an-address"
        user.save()
    result = run(today=MONDAY)
    assert result.failed
    assert result.error.returncode == 1
    assert "Nothing could be sent although 3 e-mail(s) were due" in str(result.error)
    assert not Notification.objects.exists()


def test_a_day_with_nothing_due_exits_zero(db, mailoutbox):
    result = run(today=QUIET_MONDAY)
    assert not result.failed
    assert "Sent 0 of 0 e-mail(s)" in result.stdout
    assert mailoutbox == []


# --- Bad input


@pytest.mark.parametrize("value", ["2026-13-01", "i morgon", "11/05/2026", ""])
def test_today_that_is_not_a_date_is_refused(world, mailoutbox, value):
    result = run("--today", value, today=None)
    assert result.failed
    assert "is not a date; give it as YYYY-MM-DD" in str(result.error)
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("value", ["samverkan.haninge.se", "//samverkan.haninge.se", "", "ftp://x"])
def test_site_url_without_scheme_is_refused_before_anything_is_sent(
    world, mailoutbox, settings, value
):
    settings.SITE_URL = value
    result = run(today=MONDAY)
    assert result.failed
    assert "is not an absolute address: give it with its scheme" in str(result.error)
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_dry_run_prints_the_emails_and_sends_and_records_nothing(world, mailoutbox):
    result = run("--dry-run", today=MONDAY)
    assert not result.failed
    assert mailoutbox == []
    assert not Notification.objects.exists()
    assert "To: officer@example.se" in result.stdout
    assert "Subject: Samverkan Haninge: uppföljning senast 2026-05-14" in result.stdout
    assert f"{SITE_URL}/measures/{world.unreported.pk}/updates/new/" in result.stdout
    assert "Dry run: 3 e-mail(s) would be sent" in result.stdout
    assert MARKER not in result.output


def test_without_today_the_command_uses_the_local_date(db, mailoutbox):
    result = run(today=None)
    assert f"Reminders for {timezone.localdate().isoformat()}" in result.stdout


# --- Queries: constant in the number of measures and people


def _more(world, make_measure, make_update, agreement, count):
    from django.contrib.auth import get_user_model

    from followup.models import Meeting

    User = get_user_model()
    meeting = Meeting.objects.create(agreement=agreement, held_on=MONDAY, title="Extra")
    for n in range(count):
        owner = User.objects.create_user(f"extra{n}", email=f"extra{n}@example.se")
        owner.groups.set(world.officer.groups.all())
        measure = make_measure(title=f"Extra {n}", owner=owner)
        update = make_update(measure, reported_on=datetime.date(2026, 4, 2), author=owner)
        Review.objects.create(
            progress_update=update, reviewer=world.liaison, verdict="needs_changes", comment="x"
        )
        make_update(measure, reported_on=datetime.date(2026, 4, 3), author=owner)
        Decision.objects.create(
            meeting=meeting, text="x", owner=owner, due_on=datetime.date(2026, 4, 30)
        )
        NotificationOptOut.objects.create(user=owner, kind=Kind.DECISION_DUE)
    ProgressUpdate.objects.update(created_at=at(datetime.date(2026, 5, 1)))


@pytest.mark.parametrize("extra", [0, 8])
def test_collecting_what_to_send_runs_a_fixed_number_of_queries(
    world, make_measure, make_update, agreement, django_assert_num_queries, extra
):
    """A dry run only collects and renders: on a Monday inside a report week
    with a reminder of each kind due, it reads the reporting period, the
    flagged measures, the due measures, the waiting updates, the liaisons,
    the reviews that need changes, the overdue decisions, what was sent
    before and the opt-outs — 9 queries for 3 people or for 11."""
    _more(world, make_measure, make_update, agreement, extra)
    with django_assert_num_queries(9):
        result = run("--dry-run", today=MONDAY)
    assert f"Dry run: {3 + extra} e-mail(s) would be sent" in result.stdout


@pytest.mark.parametrize("extra", [0, 8])
def test_a_run_writes_one_insert_per_email_sent(
    world, make_measure, make_update, agreement, django_assert_num_queries, extra
):
    """The 9 queries of collecting, then for each e-mail the server accepted
    one INSERT of its Notification rows."""
    _more(world, make_measure, make_update, agreement, extra)
    with django_assert_num_queries(9 + 3 + extra):
        result = run(today=MONDAY)
    assert f"Sent {3 + extra} of {3 + extra} e-mail(s)" in result.stdout


# --- The log of sent reminders, in the database


def test_a_reminder_is_recorded_once_per_person_kind_and_key(officer):
    Notification.objects.create(user=officer, kind=Kind.DIGEST, key="2026-W20")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=officer, kind=Kind.DIGEST, key="2026-W20")
    Notification.objects.create(user=officer, kind=Kind.DIGEST, key="2026-W21")


def test_the_kind_of_a_reminder_is_one_of_the_five(officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=officer, kind="sms", key="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationOptOut.objects.create(user=officer, kind="sms")
