"""/accounts/notifications/: each person turns kinds of reminders off and on."""

import html
import re

import pytest

from followup.models import NotificationKind, NotificationOptOut

URL = "/accounts/notifications/"
ALL_KINDS = set(NotificationKind.values)


def text(response):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _checked(response):
    return set(
        re.findall(
            r'<input type="checkbox" name="(\w+)"[^>]*\bchecked\b', str(response.content.decode())
        )
    )


def _offered(response):
    return set(re.findall(r'<input type="checkbox" name="(\w+)"', response.content.decode()))


def _off(user):
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))


def test_the_page_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_header_links_to_the_page_next_to_change_password(client, officer):
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert re.search(
        r'href="/accounts/password_change/">Byt lösenord</a>\s*'
        r'<a class="site-user__link" href="/accounts/notifications/">E-postpåminnelser</a>',
        page,
    )


def test_everything_is_on_until_turned_off(client, liaison):
    liaison.email = "liaison@example.se"
    liaison.save()
    client.force_login(liaison)
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "E-postpåminnelser" in page
    assert "Påminnelserna skickas till liaison@example.se" in page
    assert "Veckosammanfattning av mina åtgärder med flaggor" in page
    assert "På måndagar, när åtgärder som du är kontaktperson för har flaggor." in page
    assert _offered(response) == ALL_KINDS
    assert _checked(response) == ALL_KINDS


def test_review_reminders_are_offered_to_reviewers_only(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    assert _offered(response) == ALL_KINDS - {"review_waiting"}
    assert "Uppföljningar som väntar på granskning" not in text(response)


def test_someone_without_an_address_is_told_so(client, officer):
    officer.email = ""
    officer.save()
    client.force_login(officer)
    page = text(client.get(URL))
    assert "Du har ingen e-postadress i appen, så inga påminnelser når dig." in page


def test_turning_kinds_off_and_on_again(client, liaison):
    client.force_login(liaison)
    response = client.post(URL, {"report_due": "on", "review_waiting": "on"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert _off(liaison) == {"digest", "needs_changes", "decision_due"}

    page = client.get(URL)
    assert "Dina val av påminnelser är sparade." in text(page)
    assert _checked(page) == {"report_due", "review_waiting"}

    client.post(URL, dict.fromkeys(ALL_KINDS, "on"))
    assert _off(liaison) == set()
    client.post(URL, {})
    assert _off(liaison) == ALL_KINDS


def test_a_choice_not_on_the_form_is_kept(client, officer):
    """A former reviewer's choice about review reminders stays as it was."""
    NotificationOptOut.objects.create(user=officer, kind="review_waiting")
    client.force_login(officer)
    client.post(URL, {"digest": "on"})
    assert _off(officer) == {"report_due", "needs_changes", "decision_due", "review_waiting"}


def test_each_person_sets_only_their_own(client, officer, other_officer):
    NotificationOptOut.objects.create(user=other_officer, kind="digest")
    client.force_login(officer)
    client.post(URL, {})
    assert _off(other_officer) == {"digest"}


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(client, officer, method):
    client.force_login(officer)
    assert getattr(client, method)(URL).status_code == 405


def test_the_page_runs_a_fixed_number_of_queries(client, liaison, django_assert_num_queries):
    """Session and user (2), the reviewer permission with the user's and the
    groups' permissions (2), the opt-outs (1), the header's agreement and
    groups (2), the session's messages none: 7, whatever is turned off."""
    NotificationOptOut.objects.create(user=liaison, kind="digest")
    client.force_login(liaison)
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200


def test_saving_runs_a_fixed_number_of_queries(client, liaison, django_assert_num_queries):
    """Session and user (2), the permissions (2), the opt-outs read (1); the
    choice written in one transaction: a DELETE and one INSERT between a
    savepoint and its release (4); the session saved with the message, in
    its own savepoint (3). 12, whatever is ticked."""
    client.force_login(liaison)
    with django_assert_num_queries(12):
        response = client.post(URL, {"digest": "on"})
    assert response.status_code == 302
