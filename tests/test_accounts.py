"""Accounts and the admin (issue 8, point 9): a user changes their own
password in Swedish, and the admin speaks Swedish throughout and shows people
by full name, as the app does."""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin as django_admin
from django.urls import reverse

PASSWORD = "a long enough password 1"
NEW_PASSWORD = "Nattvandring i Jordbro 2026"


def text(response):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_a_logged_in_user_changes_their_password(client, officer):
    client.force_login(officer)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    assert "Byt ditt lösenord" in text(page)
    assert 'href="/accounts/password_change/"' in client.get("/").content.decode()

    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "fel", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "Ditt gamla lösenord var felaktigt ifyllt." in text(wrong)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert "Lösenordet är bytt" in text(client.get(response["Location"]))
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)


def test_a_too_short_new_password_is_refused_in_swedish(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "kort1", "new_password2": "kort1"},
    )
    assert response.status_code == 200
    assert "Det här lösenordet är för kort." in text(response)
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_needs_a_login(client, db):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The admin in Swedish

ENGLISH = [
    "Access attempt",
    "access attempt",
    "Failed Logins",
    "IP Address",
    "User Agent",
    "Attempt Time",
    "Change history",
    "Changed by",
    "Change reason",
    "historical",
    "Historical",
    "relationship",
    "Can add",
    "Can change",
    "Can view",
    "Can delete",
    "This object doesn't have",
    "Revert",
]


def _admin_pages(measure, update, officer, admin_user):
    for model in django_admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"admin:{info}_changelist")
    yield reverse("admin:index")
    yield reverse("admin:measures_measure_change", args=[measure.pk])
    yield reverse("admin:measures_measure_history", args=[measure.pk])
    yield reverse("admin:measures_measure_delete", args=[measure.pk])
    yield reverse("admin:measures_progressupdate_change", args=[update.pk])
    yield reverse("admin:auth_user_change", args=[officer.pk])
    yield reverse("admin:auth_user_delete", args=[officer.pk])
    yield reverse("admin:auth_group_change", args=[officer.groups.get().pk])
    yield reverse("admin:axes_accessattempt_changelist")


def test_the_admin_speaks_swedish_throughout(client, admin, review, officer):
    AccessAttempt.objects.create(
        username="okand", ip_address="127.0.0.1", user_agent="Firefox", failures_since_start=3
    )
    measure = review.progress_update.measure
    measure.title = "Ny titel"
    measure.save()
    client.force_login(admin)

    for path in _admin_pages(measure, review.progress_update, officer, admin):
        response = client.get(path)
        assert response.status_code == 200, path
        page = text(response)
        found = [word for word in ENGLISH if word in page]
        assert not found, (path, found)


def test_the_admin_shows_people_by_full_name(client, admin, review, officer, liaison):
    client.force_login(admin)
    measure = review.progress_update.measure

    changelist = text(client.get(reverse("admin:measures_measure_changelist")))
    assert officer.get_full_name() in changelist
    updates = text(client.get(reverse("admin:measures_progressupdate_changelist")))
    assert officer.get_full_name() in updates
    reviews = text(client.get(reverse("admin:measures_review_changelist")))
    assert liaison.get_full_name() in reviews
    users = text(client.get(reverse("admin:auth_user_changelist")))
    assert officer.get_full_name() in users
    assert "Kommunens handläggare" in users

    form = client.get(reverse("admin:measures_measure_change", args=[measure.pk]))
    assert (
        f'<option value="{officer.pk}" selected>{officer.get_full_name()}</option>'
        in form.content.decode()
    )


@pytest.mark.parametrize("path", ["/admin/auth/group/", "/admin/auth/user/"])
def test_the_admin_lists_answer_for_an_admin(client, admin, path):
    client.force_login(admin)
    assert client.get(path).status_code == 200
