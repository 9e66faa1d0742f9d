"""Friendly error pages in Swedish (issue 5, point 4): 400, 403, 404, 500, and
503 with Retry-After when the database does not answer; /healthz/ answers 503
then."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from measures.models import MeasureQuerySet


def _assert_swedish_page(response, status, heading):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert f"<h1>{heading}</h1>" in content
    assert "Till översikten" in content
    # A friendly page: no traceback, no debug page.
    assert "Traceback" not in content
    assert "DEBUG = True" not in content
    return content


@pytest.fixture
def unreliable_client(client):
    """Answers with the error page instead of re-raising the view's exception."""
    client.raise_request_exception = False
    return client


class _Outage:
    """Every SQL statement fails as if the database server had gone away."""

    def __init__(self):
        def execute(self, *args, **kwargs):
            raise OperationalError("server closed the connection unexpectedly")

        self._patches = [
            mock.patch.object(CursorWrapper, "execute", execute),
            mock.patch.object(CursorWrapper, "executemany", execute),
        ]
        self.active = False

    def __call__(self):
        for patch in self._patches:
            patch.start()
        self.active = True

    def end(self):
        if self.active:
            for patch in self._patches:
                patch.stop()
            self.active = False


@pytest.fixture
def database_down(db):
    """Call it to take the database away; it comes back before the test
    database is torn down, which needs SQL again."""
    outage = _Outage()
    yield outage
    outage.end()


# --- 404


def test_an_unknown_path_gets_the_swedish_404_page(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    content = _assert_swedish_page(response, 404, "Sidan hittades inte")
    assert "Adressen kan vara felstavad, eller så har sidan tagits bort." in content


def test_an_unknown_measure_gets_the_swedish_404_page(client, officer, measure):
    client.force_login(officer)
    for path in ["/measures/999999/", "/measures/999999/edit/", "/measures/999999/updates/new/"]:
        response = client.get(path)
        _assert_swedish_page(response, 404, "Sidan hittades inte")
    # The real measure answers, so the 404 is about the id.
    assert client.get(f"/measures/{measure.pk}/").status_code == 200


def test_an_unknown_progress_update_gets_the_404_page(client, liaison, update):
    client.force_login(liaison)
    _assert_swedish_page(client.get("/updates/999999/review/"), 404, "Sidan hittades inte")
    assert client.get(f"/updates/{update.pk}/review/").status_code == 200


def test_an_unknown_focus_area_or_district_gets_the_404_page(client, officer):
    client.force_login(officer)
    for path in ["/focus-areas/finns-inte/", "/areas/finns-inte/"]:
        _assert_swedish_page(client.get(path), 404, "Sidan hittades inte")


# --- 403


def test_a_forbidden_page_gets_the_swedish_403_page(client, liaison, measure):
    client.force_login(liaison)
    for path in [f"/measures/{measure.pk}/edit/", "/measures/new/"]:
        content = _assert_swedish_page(client.get(path), 403, "Du har inte behörighet här")
        assert "Din roll tillåter inte detta." in content


def test_a_user_without_a_role_is_told_so_and_whom_to_ask(client, outsider, admin, measure):
    """Not a 403 page whose links are 403 too: the overview says what is
    missing and names the administrators, and no page links further in."""
    client.force_login(outsider)
    overview = client.get("/")
    assert overview.status_code == 200
    for response in [overview, *(client.get(p) for p in ["/measures/", "/reviews/"])]:
        content = response.content.decode()
        assert "Du har ingen roll i appen ännu" in content
        assert admin.get_full_name() in content
        assert 'href="/measures/"' not in content
        assert 'href="/reviews/"' not in content
        assert 'href="/report/"' not in content
    assert client.get("/measures/").status_code == 403


def test_a_police_liaison_editing_a_measure_gets_the_403_page(client, liaison, measure):
    client.force_login(liaison)
    response = client.get(f"/measures/{measure.pk}/edit/")
    _assert_swedish_page(response, 403, "Du har inte behörighet här")


# --- 400


def test_a_bad_host_header_gets_the_swedish_400_page(client, db):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    _assert_swedish_page(response, 400, "Begäran kunde inte hanteras")


def test_too_many_fields_get_the_swedish_400_page(client, officer):
    client.force_login(officer)
    body = "&".join(f"f{n}=x" for n in range(2000))
    response = client.post("/measures/new/", body, content_type="application/x-www-form-urlencoded")
    _assert_swedish_page(response, 400, "Begäran kunde inte hanteras")


# --- 500


@pytest.mark.urls("tests.error_urls")
def test_a_bug_in_a_view_gets_the_swedish_500_page(unreliable_client, officer):
    unreliable_client.force_login(officer)
    response = unreliable_client.get("/test-errors/bug/")
    content = _assert_swedish_page(response, 500, "Något gick fel")
    assert "a bug in a view" not in content
    assert "Retry-After" not in response


# --- 503 when the database does not answer


@pytest.mark.urls("tests.error_urls")
def test_a_database_error_in_a_view_gets_the_503_page(unreliable_client, officer):
    unreliable_client.force_login(officer)
    response = unreliable_client.get("/test-errors/database/")
    content = _assert_swedish_page(response, 503, "Tjänsten är tillfälligt otillgänglig")
    assert response["Retry-After"] == "30"
    assert "Databasen svarar inte just nu" in content
    assert "127.0.0.1" not in content


def test_the_measure_list_gets_the_503_page_when_its_query_fails(
    unreliable_client, officer, measure, monkeypatch
):
    unreliable_client.force_login(officer)

    def gone(self, today):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(MeasureQuerySet, "for_listing", gone)
    response = unreliable_client.get("/measures/")
    _assert_swedish_page(response, 503, "Tjänsten är tillfälligt otillgänglig")
    assert response["Retry-After"] == "30"

    monkeypatch.undo()
    assert unreliable_client.get("/measures/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/measures/", "/measures/{pk}/", "/report/", "/accounts/login/"]
)
def test_every_page_answers_503_when_the_database_is_gone(
    unreliable_client, officer, measure, database_down, path
):
    unreliable_client.force_login(officer)
    database_down()
    response = unreliable_client.get(path.format(pk=measure.pk))
    _assert_swedish_page(response, 503, "Tjänsten är tillfälligt otillgänglig")
    assert response["Retry-After"] == "30"


def test_a_post_answers_503_when_the_database_is_gone(
    unreliable_client, officer, measure, database_down
):
    unreliable_client.force_login(officer)
    database_down()
    response = unreliable_client.post(
        f"/measures/{measure.pk}/updates/new/",
        {"reported_on": "2025-06-01", "status": "in_progress", "progress": "10"},
    )
    _assert_swedish_page(response, 503, "Tjänsten är tillfälligt otillgänglig")


def test_the_login_page_answers_503_for_anonymous_visitors_too(
    unreliable_client, db, database_down
):
    database_down()
    response = unreliable_client.post(
        "/accounts/login/",
        {"username": "officer", "password": "a long enough password 1"},
        REMOTE_ADDR="10.0.0.1",
    )
    _assert_swedish_page(response, 503, "Tjänsten är tillfälligt otillgänglig")


# --- /healthz/


def test_healthz_answers_ok_while_the_database_answers(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db, database_down):
    database_down()
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_recovers_when_the_database_answers_again(client, db, database_down):
    database_down()
    assert client.get("/healthz/").status_code == 503
    database_down.end()
    assert client.get("/healthz/").status_code == 200
