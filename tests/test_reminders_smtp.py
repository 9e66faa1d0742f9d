"""send_reminders against a real SMTP server on loopback (aiosmtpd), over TCP
with Django's SMTP backend: what arrives, and what a run does when the server
refuses an address, drops the connection or goes away half-way."""

import re

import pytest

from followup.models import Notification

from .reminder_world import MARKER, MONDAY, SITE_URL, build_world, run
from .smtp import Handler, SMTPServer, free_port, use_smtp

EVERYONE = ["liaison@example.se", "officer2@example.se", "officer@example.se"]


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


def _recipients(messages):
    return sorted(address for m in messages for address in m.recipients)


def _recorded():
    """Who the database says was sent something."""
    return sorted(set(Notification.objects.values_list("user__email", flat=True)))


def test_the_reminders_arrive_over_smtp_and_a_second_run_sends_nothing(world, settings):
    with SMTPServer() as server:
        use_smtp(settings, server)
        first = run(today=MONDAY)
        second = run(today=MONDAY)

    assert not first.failed, first.output
    assert "Sent 3 of 3 e-mail(s)" in first.stdout
    assert _recipients(server.received) == EVERYONE
    assert "Sent 0 of 0 e-mail(s)" in second.stdout
    assert len(server.received) == 3

    [officer_mail] = server.to("officer@example.se")
    assert officer_mail.sender == "samverkan@haninge.se"
    assert officer_mail.subject == (
        "Samverkan Haninge: uppföljning senast 2026-05-14, uppföljning behöver kompletteras, "
        "försenade beslut, veckosammanfattning"
    )
    assert officer_mail.message.get_content_type() == "multipart/alternative"
    text, html = officer_mail.text, officer_mail.html
    assert text.startswith("Hej Test!")
    assert "Nattvandring i Jordbro centrum" in text
    assert f"{SITE_URL}/measures/{world.unreported.pk}/updates/new/" in text
    assert f'href="{SITE_URL}/meetings/{world.meeting.pk}/"' in html
    [liaison_mail] = server.to("liaison@example.se")
    assert liaison_mail.subject == "Samverkan Haninge: uppföljningar väntar på granskning"
    assert f"{SITE_URL}/updates/{world.pending.pk}/review/" in liaison_mail.text

    for received in server.received:
        # Every link absolute and on SITE_URL …
        for link in re.findall(r"https?://[^\s\"<>]+", received.text + received.html):
            assert link.startswith(f"{SITE_URL}/"), link
        # … and none of the free text, in any part or encoding.
        assert MARKER not in received.text
        assert MARKER not in received.html
        assert MARKER.encode() not in received.raw


def test_a_server_that_stops_mid_run_gets_the_rest_on_the_next_run_and_none_twice(world, settings):
    # The server takes the first e-mail (to liaison, the runs go by user
    # name), then stops listening and drops the connection.
    with SMTPServer(Handler(stop_after=1)) as down:
        use_smtp(settings, down)
        first = run(today=MONDAY)

    assert _recipients(down.received) == ["liaison@example.se"]
    assert not first.failed  # something was sent: cron need not cry
    assert "Sent 1 of 3 e-mail(s); failed 2" in first.stdout
    assert "Sent to liaison <liaison@example.se>: review_waiting." in first.stdout
    assert "The mail server could not be reached" in first.stderr
    assert "2 e-mail(s) were not sent and go out on the next run." in first.stderr
    # Only what the server accepted counts as sent.
    assert _recorded() == ["liaison@example.se"]

    with SMTPServer() as back:
        use_smtp(settings, back)
        second = run(today=MONDAY)
        third = run(today=MONDAY)

    assert not second.failed
    assert _recipients(back.received) == ["officer2@example.se", "officer@example.se"]
    assert "Sent 2 of 2 e-mail(s)" in second.stdout
    assert "Sent 0 of 0 e-mail(s)" in third.stdout
    # Across the runs everyone got exactly one e-mail.
    assert _recipients(down.received + back.received) == EVERYONE
    assert _recorded() == EVERYONE


def test_a_dropped_connection_is_opened_again_for_the_next_email(world, settings):
    with SMTPServer(Handler(drop_after=1)) as server:
        use_smtp(settings, server)
        result = run(today=MONDAY)
    assert not result.failed, result.output
    assert _recipients(server.received) == EVERYONE
    assert "Sent 3 of 3 e-mail(s); failed 0" in result.stdout


def test_a_refused_address_does_not_stop_the_others_and_is_retried(world, settings):
    with SMTPServer(Handler(refuse=["officer@example.se"])) as strict:
        use_smtp(settings, strict)
        first = run(today=MONDAY)

    assert not first.failed
    assert _recipients(strict.received) == ["liaison@example.se", "officer2@example.se"]
    assert (
        "Not sent to officer <officer@example.se>: the mail server refused the address "
        "(550 5.1.1 Mailbox unavailable). Retried on the next run."
    ) in first.stderr
    assert "Sent 2 of 3 e-mail(s); failed 1" in first.stdout
    assert _recorded() == ["liaison@example.se", "officer2@example.se"]

    with SMTPServer() as server:
        use_smtp(settings, server)
        second = run(today=MONDAY)
    assert _recipients(server.received) == ["officer@example.se"]
    assert "Sent 1 of 1 e-mail(s)" in second.stdout
    assert _recorded() == EVERYONE


def test_no_server_at_all_exits_non_zero_and_records_nothing(world, settings):
    use_smtp(settings, free_port())  # nothing listens there
    result = run(today=MONDAY)
    assert result.failed
    assert result.error.returncode == 1
    assert "The mail server could not be reached" in result.stderr
    assert "3 e-mail(s) were not sent and go out on the next run." in result.stderr
    assert "Nothing could be sent although 3 e-mail(s) were due" in str(result.error)
    assert not Notification.objects.exists()


def test_the_password_reset_email_goes_out_over_smtp(client, officer, settings):
    officer.email = "officer@example.se"
    officer.save()
    with SMTPServer() as server:
        use_smtp(settings, server)
        response = client.post("/accounts/password_reset/", {"email": "officer@example.se"})
    assert response.status_code == 302
    [mail] = server.received
    assert mail.recipients == ["officer@example.se"]
    assert mail.subject == "Samverkan Haninge: välj ett nytt lösenord"
    [link] = re.findall(rf"{re.escape(SITE_URL)}/accounts/reset/\S+/", mail.text)
    assert f'href="{link}"' in mail.html
