"""Attacks as tests (issue 5, point 3): stored XSS in every free-text field,
changing a measure by guessing its id, CSRF on every form, SQL-looking input in
every filter, and oversized requests.

Everything an attacker would send goes through HTTP with the test client, the
way a browser or a script would send it.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from measures.models import Measure, ProgressUpdate, Review
from tests.forms import LIST_PARAMS

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ["<script>alert(1)", "<img src=x", "onerror=alert(1)>"]


def payload(field):
    """A value for `field` that carries both attacks and says where it came from."""
    return f"{field}-xss {SCRIPT} {IMG}"


def assert_only_escaped(content, where):
    for raw in RAW_MARKERS:
        assert raw not in content, f"{where} shows {raw!r} unescaped"


def _valid_measure(focus_area, owner, area, **extra):
    data = {
        "focus_area": focus_area.pk,
        "title": "Trygghetsvandring i centrum",
        "cause": "Otrygghet kvällstid.",
        "description": "Vuxna vandrar kvällstid.",
        "kind": "social",
        "operational_goal": "Fler vuxna ute.",
        "start_date": "2025-03-01",
        "end_date": "2026-06-30",
        "responsible_party": "gemensam",
        "responsible_unit": "Kultur- och fritidsförvaltningen",
        "owner": owner.pk,
        "areas": [area.pk],
    }
    data.update(extra)
    return data


def _valid_update(**extra):
    data = {
        "reported_on": timezone.localdate().isoformat(),
        "status": "in_progress",
        "progress": "40",
        "assessment": "yellow",
        "summary": "Tio vandringar genomförda.",
        "next_steps": "Fler vandringar i höst.",
    }
    data.update(extra)
    return data


# --- Stored XSS


@pytest.fixture
def stored(client, officer, liaison, focus_area, jordbro):
    """A measure, two progress updates and a review, every free-text field and
    the owner's, author's and reviewer's first names carrying the attacks, all
    entered through the app's own forms."""
    officer.first_name = payload("owner")
    officer.save()
    liaison.first_name = payload("reviewer")
    liaison.save()

    client.force_login(officer)
    data = _valid_measure(
        focus_area,
        officer,
        jordbro,
        title=payload("title"),
        description=payload("description"),
        cause=payload("cause"),
        operational_goal=payload("operational_goal"),
        responsible_unit=payload("responsible_unit"),
    )
    response = client.post("/measures/new/", data)
    assert response.status_code == 302, response.content.decode()
    measure = Measure.objects.get(title=payload("title"))

    for n in (1, 2):
        response = client.post(
            f"/measures/{measure.pk}/updates/new/",
            _valid_update(
                summary=f"{n} {payload('summary')}", next_steps=f"{n} {payload('next_steps')}"
            ),
        )
        assert response.status_code == 302, response.content.decode()
    first, second = measure.updates.order_by("pk")

    reviewer = Client()
    reviewer.force_login(liaison)
    response = reviewer.post(
        f"/updates/{first.pk}/review/",
        {"verdict": "needs_changes", "comment": payload("comment")},
    )
    assert response.status_code == 302, response.content.decode()

    # The attacks were stored as typed: nothing was refused or cleaned away.
    measure.refresh_from_db()
    assert measure.description == payload("description")
    assert measure.cause == payload("cause")
    assert measure.operational_goal == payload("operational_goal")
    assert measure.responsible_unit == payload("responsible_unit")
    assert second.summary == f"2 {payload('summary')}"
    assert Review.objects.get(progress_update=first).comment == payload("comment")
    return {
        "measure": measure,
        "reviewed": first,
        "pending": second,
        "officer": client,
        "liaison": reviewer,
    }


# Which stored fields each page shows (the rest of the page is checked too:
# no raw attack anywhere on it).
PAGES = {
    "overview": ("/", "officer", ["title", "owner", "summary"]),
    "list": ("/measures/", "officer", ["title", "owner"]),
    "detail": (
        "/measures/{measure}/",
        "officer",
        [
            "title",
            "description",
            "cause",
            "operational_goal",
            "responsible_unit",
            "owner",
            "summary",
            "next_steps",
            "comment",
            "reviewer",
        ],
    ),
    "focus area": ("/focus-areas/barn-och-unga/", "officer", ["title", "owner"]),
    "district": ("/areas/jordbro/", "officer", ["title", "owner"]),
    "review queue": ("/reviews/", "liaison", ["title", "owner"]),
    "review form": (
        "/updates/{reviewed}/review/",
        "liaison",
        ["title", "owner", "summary", "next_steps", "comment", "reviewer"],
    ),
    "report": (
        "/report/?detail=1&from=2025-02-11&to=2027-12-31",
        "officer",
        ["title", "responsible_unit", "owner", "summary", "next_steps"],
    ),
    "edit form": (
        "/measures/{measure}/edit/",
        "officer",
        ["title", "description", "cause", "operational_goal", "responsible_unit", "owner"],
    ),
}


@pytest.mark.parametrize("page_name", list(PAGES))
def test_stored_xss_comes_back_escaped(stored, page_name):
    path, who, fields = PAGES[page_name]
    path = path.format(measure=stored["measure"].pk, reviewed=stored["reviewed"].pk)
    response = stored[who].get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    content = response.content.decode()
    assert_only_escaped(content, page_name)
    for field in fields:
        assert escape(payload(field)) in content, f"{page_name} does not show {field} escaped"


def test_every_free_text_field_is_shown_somewhere(stored):
    """The pages above cover every field that took an attack."""
    covered = {field for _path, _who, fields in PAGES.values() for field in fields}
    assert covered == {
        "title",
        "description",
        "cause",
        "operational_goal",
        "responsible_unit",
        "owner",
        "summary",
        "next_steps",
        "comment",
        "reviewer",
    }


def test_stored_xss_is_inert_text_in_the_csv_export(stored):
    measure = stored["measure"]
    response = stored["officer"].get("/measures/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == str(measure.pk))
    cells = dict(zip(header, row, strict=True))
    assert cells["Titel"] == payload("title")
    assert cells["Ansvarig enhet"] == payload("responsible_unit")
    assert cells["Kontaktperson"] == f"{payload('owner')} {measure.owner.last_name}"
    assert cells["Orsak"] == payload("cause")
    assert cells["Åtgärd"] == payload("description")
    assert cells["Operativt mål"] == payload("operational_goal")


def test_stored_xss_is_inert_text_in_the_excel_export(stored):
    measure = stored["measure"]
    response = stored["officer"].get("/measures/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    row = next(r for r in rows[1:] if r[0].value == measure.pk)
    cells = dict(zip(header, row, strict=True))
    for column, field in [
        ("Titel", "title"),
        ("Ansvarig enhet", "responsible_unit"),
        ("Orsak", "cause"),
        ("Åtgärd", "description"),
        ("Operativt mål", "operational_goal"),
    ]:
        assert cells[column].value == payload(field)
        assert cells[column].data_type == "s"  # a text cell, never a formula
    assert cells["Kontaktperson"].value.startswith(payload("owner"))


# --- Guessing a measure's id without the right role


def _snapshot(measure):
    measure = Measure.objects.get(pk=measure.pk)
    return (
        measure.title,
        measure.version,
        measure.is_archived,
        measure.updated_at,
        measure.history.count(),
        ProgressUpdate.objects.count(),
        Review.objects.count(),
    )


def _edit_data(measure, focus_area, jordbro, officer):
    return {
        **_valid_measure(focus_area, officer, jordbro, title="Kapad åtgärd"),
        "version": measure.version,
    }


@pytest.mark.parametrize("who", ["liaison", "outsider"])
@pytest.mark.parametrize("action", ["edit", "archive"])
def test_changing_a_measure_by_its_id_without_the_role_is_refused(
    client, request, who, action, measure, focus_area, jordbro, officer
):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot(measure)
    data = _edit_data(measure, focus_area, jordbro, officer) if action == "edit" else {}
    response = client.post(f"/measures/{measure.pk}/{action}/", data)
    assert response.status_code == 403
    refusal = (
        "Du har ingen roll i appen ännu" if who == "outsider" else "Du har inte behörighet här"
    )
    assert refusal in response.content.decode()
    assert _snapshot(measure) == before
    if action == "edit":
        assert client.get(f"/measures/{measure.pk}/edit/").status_code == 403


@pytest.mark.parametrize("action", ["edit", "archive"])
def test_the_same_request_from_a_municipal_officer_goes_through(
    client, action, measure, focus_area, jordbro, officer
):
    """The control for the test above: the refusal is the role, not the request."""
    client.force_login(officer)
    data = _edit_data(measure, focus_area, jordbro, officer) if action == "edit" else {}
    response = client.post(f"/measures/{measure.pk}/{action}/", data)
    assert response.status_code == 302
    measure.refresh_from_db()
    if action == "edit":
        assert measure.title == "Kapad åtgärd"
    else:
        assert measure.is_archived


@pytest.mark.parametrize("who", ["liaison", "outsider"])
def test_a_progress_update_on_a_municipal_measure_by_id_is_refused(client, request, who, measure):
    assert measure.responsible_party == Measure.Party.KOMMUN
    client.force_login(request.getfixturevalue(who))
    before = _snapshot(measure)
    response = client.post(f"/measures/{measure.pk}/updates/new/", _valid_update())
    assert response.status_code == 403
    assert _snapshot(measure) == before


@pytest.mark.parametrize("who", ["officer", "outsider"])
def test_a_review_by_id_without_the_police_role_is_refused(client, request, who, update):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/updates/{update.pk}/review/", {"verdict": "approved"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_an_id_that_does_not_exist_is_404_not_500(client, officer):
    client.force_login(officer)
    for path in ["/measures/999999/edit/", "/measures/999999/archive/"]:
        assert client.post(path, {}).status_code == 404


# --- CSRF on every form


@pytest.fixture
def csrf_cases(officer, liaison, measure, update, focus_area, jordbro):
    """name: (user or None, page that holds the form, action, data, what changes)."""
    return {
        "login": (
            None,
            "/accounts/login/",
            "/accounts/login/",
            {"username": "officer", "password": "a long enough password 1"},
        ),
        "logout": (officer, "/", "/accounts/logout/", {}),
        "create": (
            officer,
            "/measures/new/",
            "/measures/new/",
            _valid_measure(focus_area, officer, jordbro, title="Ny via CSRF"),
        ),
        "edit": (
            officer,
            f"/measures/{measure.pk}/edit/",
            f"/measures/{measure.pk}/edit/",
            _edit_data(measure, focus_area, jordbro, officer),
        ),
        "archive": (officer, f"/measures/{measure.pk}/", f"/measures/{measure.pk}/archive/", {}),
        "update": (
            officer,
            f"/measures/{measure.pk}/updates/new/",
            f"/measures/{measure.pk}/updates/new/",
            _valid_update(summary="Via CSRF"),
        ),
        "review": (
            liaison,
            f"/updates/{update.pk}/review/",
            f"/updates/{update.pk}/review/",
            {"verdict": "approved", "comment": "Via CSRF"},
        ),
    }


def _state(client, measure):
    return (
        _snapshot(measure),
        Measure.objects.count(),
        "_auth_user_id" in client.session,
    )


CSRF_FORMS = ["login", "logout", "create", "edit", "archive", "update", "review"]


@pytest.mark.parametrize("name", CSRF_FORMS)
def test_a_post_without_the_csrf_token_is_refused(csrf_cases, measure, name):
    user, form_page, action, data = csrf_cases[name]
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    # The visitor has the CSRF cookie from the form's page, but the attacker's
    # form cannot know the token.
    assert client.get(form_page).status_code == 200
    assert client.cookies["csrftoken"].value
    before = _state(client, measure)
    response = client.post(action, data, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()
    assert _state(client, measure) == before
    # A wrong token is refused the same way.
    response = client.post(action, {**data, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert _state(client, measure) == before


@pytest.mark.parametrize("name", CSRF_FORMS)
def test_the_same_post_with_the_token_goes_through(csrf_cases, measure, name):
    """The control: the refusal above is the missing token, nothing else."""
    user, form_page, action, data = csrf_cases[name]
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    client.get(form_page)
    token = client.cookies["csrftoken"].value
    response = client.post(action, {**data, "csrfmiddlewaretoken": token}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302, response.content.decode()


# --- SQL-looking input in every filter


SQL_INPUTS = [
    "' OR 1=1 --",
    "1; DROP TABLE measures_measure;",
    "%",
    "_",
    "\\",
    "1' UNION SELECT password FROM auth_user --",
    '"; DELETE FROM measures_progressupdate; --',
]

FILTER_PARAMS = LIST_PARAMS


def _tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.parametrize("value", SQL_INPUTS)
def test_sql_looking_input_in_every_filter_is_harmless(client, officer, measure, update, value):
    client.force_login(officer)
    measures_before = list(Measure.objects.values_list("pk", "title").order_by("pk"))
    updates_before = ProgressUpdate.objects.count()
    for name in FILTER_PARAMS:
        query = {name: value}
        response = client.get("/measures/", query)
        assert response.status_code == 200, (name, value)
        assert_only_escaped(response.content.decode(), f"/measures/?{name}")
        response = client.get("/measures/export.csv", query)
        assert response.status_code == 200, (name, value)
        b"".join(response.streaming_content)
        assert client.get("/measures/export.xlsx", query).status_code == 200, (name, value)
    for query in [{"from": value}, {"to": value}, {"from": value, "to": value}]:
        assert client.get("/report/", query).status_code == 200, (query, value)
    # Everything in all parameters at once.
    everything = dict.fromkeys(FILTER_PARAMS, value)
    assert client.get("/measures/", everything).status_code == 200
    assert client.get("/report/", {"from": value, "to": value}).status_code == 200

    assert {"measures_measure", "measures_progressupdate", "auth_user"} <= _tables()
    assert list(Measure.objects.values_list("pk", "title").order_by("pk")) == measures_before
    assert ProgressUpdate.objects.count() == updates_before
    assert client.get(f"/measures/{measure.pk}/").status_code == 200


def _csv_ids(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[0] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]


@pytest.mark.parametrize("value", ["%", "_", "\\", "' OR 1=1 --", "%' OR '1'='1"])
def test_wildcards_and_quotes_in_the_search_match_only_themselves(
    client, officer, make_measure, value
):
    make_measure(title="Nattvandring i Jordbro")
    make_measure(title="Trygghetsvandring i Brandbergen")
    client.force_login(officer)
    response = client.get("/measures/", {"q": value})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Inga åtgärder matchar filtren." in content
    assert "Nattvandring i Jordbro" not in content
    assert _csv_ids(client.get("/measures/export.csv", {"q": value})) == []


def test_a_search_with_a_percent_sign_finds_the_measure_that_has_one(client, officer, make_measure):
    match = make_measure(title="Belysning höjd till 100 % i tunneln")
    make_measure(title="Nattvandring i Jordbro")
    client.force_login(officer)
    assert _csv_ids(client.get("/measures/export.csv", {"q": "%"})) == [str(match.pk)]


# --- Oversized requests


TEN_MB = 10 * 1024 * 1024


def _assert_swedish_400(response):
    assert response.status_code == 400
    content = response.content.decode()
    assert "Begäran kunde inte hanteras" in content
    assert '<html lang="sv">' in content


def test_a_10_mb_login_post_is_refused_with_the_swedish_400_page(client, db):
    response = client.post(
        "/accounts/login/",
        b"username=a&password=" + b"x" * TEN_MB,
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="10.0.0.1",
    )
    _assert_swedish_400(response)


@pytest.mark.parametrize("kind", ["form", "form field", "file", "json", "text"])
def test_a_10_mb_body_to_a_form_is_refused_with_the_swedish_400_page(
    client, officer, focus_area, jordbro, kind
):
    client.force_login(officer)
    data = _valid_measure(focus_area, officer, jordbro, title="Stor begäran")
    if kind == "form":
        response = client.post(
            "/measures/new/",
            b"title=Stor&description=" + b"x" * TEN_MB,
            content_type="application/x-www-form-urlencoded",
        )
    elif kind == "form field":
        response = client.post("/measures/new/", {**data, "description": "x" * TEN_MB})
    elif kind == "file":
        upload = SimpleUploadedFile("bilaga.bin", b"\0" * TEN_MB)
        response = client.post("/measures/new/", {**data, "bilaga": upload})
    elif kind == "json":
        response = client.post(
            "/measures/new/", b'{"x": "' + b"x" * TEN_MB + b'"}', content_type="application/json"
        )
    else:
        response = client.post("/measures/new/", b"x" * TEN_MB, content_type="text/plain")
    _assert_swedish_400(response)
    assert not Measure.objects.filter(title="Stor begäran").exists()


def test_a_normal_post_is_not_affected_by_the_limit(client, officer, focus_area, jordbro):
    client.force_login(officer)
    data = _valid_measure(focus_area, officer, jordbro, description="x" * 100_000)
    response = client.post("/measures/new/", data)
    assert response.status_code == 302


def test_a_10000_character_search_is_answered_cleanly(client, officer, make_measure):
    make_measure(title="Nattvandring i Jordbro")
    make_measure(title="Arkiverad plan", is_archived=True)
    client.force_login(officer)
    long_q = "natt" * 2500
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/measures/", {"q": long_q})
    content = response.content.decode()
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Några filter kunde inte användas" in content
        assert "Säkerställ att detta värde har som mest 200 tecken (den har 10000)." in content
    else:
        _assert_swedish_400(response)
    # The refused text never reaches the database, and nothing beyond the
    # ordinary list (archived measures) comes out.
    assert not any(long_q[:300] in query["sql"] for query in queries.captured_queries)
    assert "Arkiverad plan" not in content

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/measures/export.csv", {"q": long_q})
        assert response.status_code in (200, 400)
        ids = _csv_ids(response) if response.status_code == 200 else []
    assert not any(long_q[:300] in query["sql"] for query in queries.captured_queries)
    archived = Measure.objects.get(title="Arkiverad plan")
    assert str(archived.pk) not in ids


def test_a_search_far_beyond_the_limit_is_answered_cleanly(client, officer, measure):
    client.force_login(officer)
    response = client.get("/measures/", {"q": "%" * 100_000})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Några filter kunde inte användas" in response.content.decode()


def test_dates_in_the_filters_far_outside_any_calendar_are_harmless(client, officer, measure):
    client.force_login(officer)
    for value in ["9999-12-31", "0001-01-01", "99999-01-01", "2025-02-30"]:
        response = client.get("/measures/", {"start_date_from": value, "end_date_to": value})
        assert response.status_code == 200, value
    response = client.get("/report/", {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
