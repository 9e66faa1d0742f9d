"""Login, the private-by-default rule, the roles' permissions and the admin."""

import datetime

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group
from django.urls import reverse

from measures.models import Measure
from tests.paths import app_paths


def _public_paths():
    return {
        "/accounts/login/",
        "/healthz/",
        # Password reset is for people who cannot log in.
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/sample-token/",
        "/accounts/reset/done/",
    }


@pytest.fixture
def every_path(update, focus_area, jordbro):
    return app_paths(update.measure, update, focus_area, jordbro)


def test_every_page_but_login_and_healthz_sends_anonymous_visitors_to_login(client, every_path):
    private = every_path - _public_paths()
    assert len(private) >= 1
    for path in sorted(private):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_admin_sends_anonymous_visitors_to_login(client):
    response = client.get("/admin/measures/measure/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/measures/measure/"


def test_login_page_is_public_and_swedish(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "Logga in" in content
    assert 'autocomplete="current-password"' in content


def test_login_with_the_right_password_lands_on_the_overview(client, officer):
    response = client.post(
        "/accounts/login/",
        {"username": "officer", "password": "a long enough password 1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_gets_a_swedish_message(client, officer):
    response = client.post("/accounts/login/", {"username": "officer", "password": "fel"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_header_shows_the_user_role_period_and_a_logout_button(client, officer):
    client.force_login(officer)
    content = client.get("/").content.decode()
    assert "Kommunens handläggare" in content
    assert "2025-02-11 – 2027-12-31" in content
    assert 'action="/accounts/logout/"' in content
    assert 'method="post"' in content


def test_logout_is_a_post_and_ends_the_session(client, officer):
    client.force_login(officer)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# Both roles read the reporting periods and hold meetings with decisions.
FOLLOW_UP = {
    "agreement.view_reportingperiod",
    "followup.view_meeting",
    "followup.add_meeting",
    "followup.change_meeting",
    "followup.view_decision",
    "followup.add_decision",
    "followup.change_decision",
}

EXPECTED_PERMISSIONS = {
    "Kommunens handläggare": {
        "agreement.view_agreement",
        "agreement.view_focusarea",
        "agreement.view_area",
        "measures.view_measure",
        "measures.add_measure",
        "measures.change_measure",
        "measures.archive_measure",
        "measures.view_progressupdate",
        "measures.add_progressupdate",
        "measures.view_review",
        *FOLLOW_UP,
    },
    "Polisens kontaktperson": {
        "agreement.view_agreement",
        "agreement.view_focusarea",
        "agreement.view_area",
        "measures.view_measure",
        "measures.view_progressupdate",
        "measures.add_progressupdate",
        "measures.view_review",
        "measures.add_review",
        *FOLLOW_UP,
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED_PERMISSIONS))
def test_each_group_has_exactly_the_permissions_of_the_product_table(db, name):
    group = Group.objects.get(name=name)
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert granted == EXPECTED_PERMISSIONS[name]


def test_police_liaison_may_never_change_a_measure(liaison):
    assert not liaison.has_perm("measures.change_measure")
    assert not liaison.has_perm("measures.add_measure")
    assert not liaison.has_perm("measures.delete_measure")


def _admin_urls():
    for model, _model_admin in django_admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        yield f"admin:{info}_changelist"
        # django-axes keeps its login logs read-only: no add page by design.
        if model._meta.app_label != "axes":
            yield f"admin:{info}_add"


@pytest.mark.parametrize("url_name", sorted(_admin_urls()))
def test_every_admin_changelist_and_add_page_answers_200_for_an_admin(
    client, admin, review, url_name
):
    client.force_login(admin)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, url_name


def test_admin_change_pages_and_history_answer_200(client, admin, review):
    client.force_login(admin)
    measure = review.progress_update.measure
    for url in [
        reverse("admin:measures_measure_change", args=[measure.pk]),
        reverse("admin:measures_measure_history", args=[measure.pk]),
        reverse("admin:measures_progressupdate_change", args=[review.progress_update.pk]),
        reverse("admin:agreement_agreement_change", args=[measure.focus_area.agreement.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def _admin_measure_post(focus_area, **overrides):
    data = {
        "focus_area": focus_area.pk,
        "title": "Trygga skolvägar i Handen",
        "cause": "Föräldrar upplever skolvägen som otrygg.",
        "description": "Gångstråk ses över och belysning förbättras.",
        "kind": "situational",
        "operational_goal": "Belysning längs tre skolvägar.",
        "start_date": "2025-02-11",
        "end_date": "2027-12-31",
        "responsible_party": "kommun",
        "responsible_unit": "Samhällsbyggnadsförvaltningen",
        "status": "planned",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_form_accepts_the_period_edges(client, admin, focus_area):
    client.force_login(admin)
    response = client.post(reverse("admin:measures_measure_add"), _admin_measure_post(focus_area))
    assert response.status_code == 302
    measure = Measure.objects.get(title="Trygga skolvägar i Handen")
    assert measure.start_date == datetime.date(2025, 2, 11)
    assert measure.end_date == datetime.date(2027, 12, 31)
    assert measure.created_by == admin


@pytest.mark.parametrize(
    ("field", "value"), [("start_date", "2025-02-10"), ("end_date", "2028-01-01")]
)
def test_admin_form_refuses_dates_outside_the_period(client, admin, focus_area, field, value):
    client.force_login(admin)
    response = client.post(
        reverse("admin:measures_measure_add"), _admin_measure_post(focus_area, **{field: value})
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[field] == [
        "Datumet måste ligga inom överenskommelsens giltighetstid, 2025-02-11 – 2027-12-31."
    ]
    assert not Measure.objects.exists()


def test_admin_form_refuses_a_personnummer(client, admin, focus_area):
    client.force_login(admin)
    response = client.post(
        reverse("admin:measures_measure_add"),
        _admin_measure_post(focus_area, description="Gäller 080512-1234"),
    )
    assert response.status_code == 200
    assert "personnummer" in response.context["adminform"].form.errors["description"][0]


def test_admin_edit_raises_the_version(client, admin, measure, focus_area):
    client.force_login(admin)
    data = _admin_measure_post(focus_area, title="Nytt namn", version=measure.version)
    response = client.post(reverse("admin:measures_measure_change", args=[measure.pk]), data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.version) == ("Nytt namn", 2)
