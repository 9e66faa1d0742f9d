"""Login protection (issue 5, point 1): django-axes lockout, password length,
session lifetime and the login's `next`.

Every login here is the real POST to /accounts/login/ through the test client,
so django-axes sees it the way it sees a browser's.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

PASSWORD = "a long enough password 1"  # the conftest users' password
LOGIN = "/accounts/login/"
LOCKED_TEXT = "För många misslyckade inloggningar"


def _login(client, username, password, address="10.0.0.1", **data):
    return client.post(
        LOGIN, {"username": username, "password": password, **data}, REMOTE_ADDR=address
    )


def _fail(client, username, times, address="10.0.0.1"):
    return [_login(client, username, "wrong password!", address) for _ in range(times)]


def _is_logged_in(client):
    return "_auth_user_id" in client.session


def _assert_locked(response):
    assert response.status_code == 429
    content = response.content.decode()
    assert LOCKED_TEXT in content
    assert "Kontot spärras i 15 minuter" in content
    assert '<html lang="sv">' in content


# --- django-axes: five failures lock the user at that address for 15 minutes


def test_four_failed_logins_only_show_the_swedish_error(client, officer):
    for response in _fail(client, "officer", 4):
        assert response.status_code == 200
        content = response.content.decode()
        assert "Inloggningen misslyckades" in content
        assert "Ange ett korrekt användarnamn och lösenord" in content
        assert LOCKED_TEXT not in content
    # The fifth try, with the right password, still gets in.
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert _is_logged_in(client)


def test_the_fifth_failed_login_locks_with_the_swedish_page(client, officer):
    responses = _fail(client, "officer", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    _assert_locked(responses[4])
    assert not _is_logged_in(client)


def test_the_right_password_is_refused_while_locked(client, officer):
    _fail(client, "officer", 5)
    response = _login(client, "officer", PASSWORD)
    _assert_locked(response)
    assert not _is_logged_in(client)
    # A locked user cannot reach a page either.
    assert client.get("/").status_code == 302


def test_the_lock_holds_for_the_user_at_that_address_only(client, officer, other_officer):
    _fail(client, "officer", 5, address="10.0.0.1")

    # The same user from another address is not locked ...
    elsewhere = Client()
    response = _login(elsewhere, "officer", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert _is_logged_in(elsewhere)

    # ... nor is another user from the locked address.
    colleague = Client()
    response = _login(colleague, "officer2", PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert _is_logged_in(colleague)

    # The locked pair stays locked.
    _assert_locked(_login(Client(), "officer", PASSWORD, address="10.0.0.1"))


def _age_attempts(minutes):
    """Move the failed attempts `minutes` into the past, as if that time had gone."""
    shift = datetime.timedelta(minutes=minutes)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - shift
        )


def test_the_lock_still_holds_after_14_minutes(client, officer):
    _fail(client, "officer", 5)
    assert AccessAttempt.objects.filter(username="officer", ip_address="10.0.0.1").exists()
    _age_attempts(14)
    _assert_locked(_login(client, "officer", PASSWORD))


def test_the_lock_ends_after_15_minutes(client, officer):
    _fail(client, "officer", 5)
    _assert_locked(_login(client, "officer", PASSWORD))
    _age_attempts(16)
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _is_logged_in(client)
    assert client.get("/").status_code == 200


def test_a_successful_login_resets_the_count(client, officer):
    _fail(client, "officer", 4)
    assert _login(client, "officer", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # Four more failures after the reset do not lock yet.
    assert all(r.status_code == 200 for r in _fail(client, "officer", 4))
    assert _login(client, "officer", PASSWORD).status_code == 302


# --- Passwords: at least 12 characters, with Django's validators, in Swedish


@pytest.mark.parametrize("password", ["Kort!9x", "Elvatecken1"])
def test_a_password_shorter_than_12_characters_is_refused(officer, password):
    assert len(password) < 12
    form = SetPasswordForm(officer, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert (
        "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken."
        in (form.errors["new_password2"])
    )
    with pytest.raises(ValidationError):
        validate_password(password, officer)


def test_a_password_of_12_characters_is_accepted(officer):
    password = "Tolv tecken!"
    assert len(password) == 12
    form = SetPasswordForm(officer, {"new_password1": password, "new_password2": password})
    assert form.is_valid(), form.errors
    form.save()
    officer.refresh_from_db()
    assert officer.check_password(password)


@pytest.mark.parametrize(
    "password, message",
    [
        ("password1234", "Detta lösenord är alldeles för vanligt."),
        ("123456789012345", "Detta lösenord är enbart numeriskt."),
    ],
)
def test_the_other_validators_speak_swedish_too(officer, password, message):
    form = SetPasswordForm(officer, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert message in form.errors["new_password2"]


# --- Sessions: 8 hours at most, and gone when the browser closes


def test_the_session_cookie_has_no_expiry_so_it_ends_with_the_browser(client, officer):
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True


def test_the_session_ends_after_8_hours_on_the_server(client, officer):
    before = timezone.now()
    _login(client, "officer", PASSWORD)
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    lifetime = session.expire_date - before
    assert datetime.timedelta(hours=8) - datetime.timedelta(minutes=1) < lifetime
    assert lifetime <= datetime.timedelta(hours=8, minutes=1)

    # Once that time has gone, the same cookie no longer opens a page.
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    # The cached copy of a session is kept for the same 8 hours, so it has
    # gone by then too.
    cache.clear()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- `next` never leads off-site


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/measures/",
        "http://evil.example/accounts/login/",
        "https:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_never_redirects_off_site(client, officer, target):
    response = _login(client, "officer", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _is_logged_in(client)


def test_login_from_the_query_string_next_is_not_followed_off_site(client, officer):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/",
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_a_next_inside_the_app(client, officer, measure):
    response = _login(client, "officer", PASSWORD, next=f"/measures/{measure.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"


def test_the_login_form_does_not_echo_an_off_site_next(client, db):
    response = client.get(LOGIN, {"next": "https://evil.example/"})
    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()
