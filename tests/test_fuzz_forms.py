"""Random input to every form and filter: never a 500, and a refused post loses nothing.

PRODUCT.md: "Bad input gets a clear Swedish message and loses nothing; no
input makes a 500." Each example posts as a municipal officer, a police
liaison or a user without a role, so the 403 paths are fuzzed too. The
database is compared before and after every post that is answered 200 (form
shown again) or 403, where nothing may have been saved.
"""

import datetime
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agreement.models import Agreement, Area, FocusArea
from measures.models import Measure, ProgressUpdate, Review
from tests.forms import LIST_PARAMS

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

ALLOWED = {200, 302, 403}

NASTY = [
    "",
    " ",
    "\x00",
    "Natt\x00vandring",
    "x" * 10_000,
    "Robert'); DROP TABLE measures_measure;--",
    "' OR '1'='1",
    "1; SELECT pg_sleep(5)",
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request }}{% debug %}",
    "850709-9805",
    "19850709-9805",
    "850709+9805",
    "8507099805",
    "Åsa Öberg på Gudö ∑ 🚓 \u202e\u200b",
    '=HYPERLINK("http://x")',
    "%00%ff",
    "../../etc/passwd",
    "-1",
    "0",
    "100",
    "101",
    "3.5",
    "1e309",
    "99999999999999999999999",
    "NaN",
    "2025-02-10",
    "2025-02-11",
    "2027-12-31",
    "2028-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
]

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40),
)
dates = st.one_of(
    st.dates(datetime.date(2024, 1, 1), datetime.date(2029, 12, 31)).map(str),
    st.dates().map(str),
    st.sampled_from(["2026-01-01", "1.1.2026", "2026/01/01", "20260101", "igår"]),
    text,
)
numbers = st.one_of(
    st.integers(-5, 105).map(str),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    text,
)


def choice(*values):
    return st.one_of(st.sampled_from(values), text)


def roles():
    return st.sampled_from(["officer", "officer", "officer", "liaison", "outsider"])


def snapshot():
    """Every row a post could change, in a comparable form."""
    return {
        "agreements": list(Agreement.objects.order_by("pk").values()),
        "focus_areas": list(FocusArea.objects.order_by("pk").values()),
        "areas": list(Area.objects.order_by("pk").values()),
        "measures": list(Measure.objects.order_by("pk").values()),
        "measure_areas": list(
            Measure.areas.through.objects.order_by("pk").values_list("measure_id", "area_id")
        ),
        "history": list(Measure.history.order_by("pk").values_list("history_id", flat=True)),
        "updates": list(ProgressUpdate.objects.order_by("pk").values()),
        "reviews": list(Review.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("pk").values()),
    }


@pytest.fixture
def users(officer, liaison, outsider):
    return {"officer": officer, "liaison": liaison, "outsider": outsider}


def post_and_check(client, user, path, data):
    client.force_login(user)
    before = snapshot()
    response = client.post(path, data)
    # Shown by --hypothesis-show-statistics: how often each answer was reached.
    event(f"HTTP {response.status_code}")
    assert response.status_code in ALLOWED, (path, data, response.status_code)
    if response.status_code != 302:
        assert snapshot() == before, (path, data)
    return response


@st.composite
def garbled(draw, valid, fields):
    """A valid post with none, one or two fields replaced by garbage or left out,
    so that the checks behind the first bad field are reached too."""
    data = dict(valid)
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True)):
        if draw(st.booleans()):
            data[name] = draw(fields[name])
        else:
            data.pop(name, None)
    return data


def posts(valid, fields):
    """Either every field random and perhaps missing, or a garbled valid post."""
    return st.one_of(st.fixed_dictionaries({}, optional=fields), garbled(valid, fields))


def measure_fields(focus_areas, areas, owners):
    return {
        "focus_area": choice(*focus_areas),
        "title": text,
        "cause": text,
        "description": text,
        "kind": choice("situational", "social"),
        "is_one_off": choice("on", "1", "true", "false", "0"),
        "operational_goal": text,
        "start_date": dates,
        "end_date": dates,
        "responsible_party": choice("kommun", "polis", "gemensam"),
        "responsible_unit": text,
        "owner": choice(*owners),
        "areas": st.lists(choice(*areas), max_size=3),
    }


@pytest.fixture
def measure_post(agreement, officer, liaison, focus_area, jordbro):
    """A valid post of the measure form, and a strategy per field."""
    valid = {
        "focus_area": str(focus_area.pk),
        "title": "Trygghetsvandring i Vega",
        "cause": "Otrygghet vid pendeltåget.",
        "description": "Vuxna vandrar kvällstid.",
        "kind": "social",
        "operational_goal": "Fler vuxna ute.",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "responsible_party": "kommun",
        "owner": str(officer.pk),
        "areas": [str(jordbro.pk)],
    }
    fields = measure_fields(
        focus_areas=[str(pk) for pk in agreement.focus_areas.values_list("pk", flat=True)],
        areas=[str(pk) for pk in Area.objects.values_list("pk", flat=True)],
        owners=[str(officer.pk), str(liaison.pk)],
    )
    return valid, fields


@FUZZ
@given(data=st.data())
def test_the_new_measure_form_never_fails(client, users, measure_post, data):
    role = data.draw(roles())
    post_and_check(client, users[role], "/measures/new/", data.draw(posts(*measure_post)))


@FUZZ
@given(data=st.data())
def test_the_edit_form_never_fails_and_never_overwrites(client, users, measure_post, measure, data):
    role = data.draw(roles())
    fields = data.draw(posts(*measure_post))
    version = data.draw(
        st.one_of(st.just("current"), st.sampled_from(["missing", "stale"]), numbers)
    )
    measure.refresh_from_db()
    if version == "current":
        fields["version"] = str(measure.version)
    elif version == "stale":
        fields["version"] = str(measure.version - 1)
    elif version != "missing":
        fields["version"] = version
    response = post_and_check(client, users[role], f"/measures/{measure.pk}/edit/", fields)
    if version == "stale" and role == "officer":
        # Someone else saved since this version: shown again, nothing overwritten.
        assert response.status_code == 200


@pytest.fixture
def update_post():
    valid = {
        "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "status": "in_progress",
        "progress": "50",
        "assessment": "green",
        "summary": "Tio vandringar genomförda.",
        "next_steps": "Fortsätter i vår.",
    }
    fields = {
        "reported_on": dates,
        "status": choice("planned", "in_progress", "done", "paused", "cancelled"),
        "progress": numbers,
        "assessment": choice("green", "yellow", "red"),
        "summary": text,
        "next_steps": text,
    }
    return valid, fields


@FUZZ
@given(data=st.data())
def test_the_progress_update_form_never_fails(client, users, make_measure, update_post, data):
    # Joint, so that a liaison may report on it too.
    measure = make_measure(responsible_party=Measure.Party.GEMENSAM)
    role = data.draw(roles())
    fields = data.draw(posts(*update_post))
    post_and_check(client, users[role], f"/measures/{measure.pk}/updates/new/", fields)


REVIEW_POST = (
    {"verdict": "needs_changes", "comment": "Beskriv vad som gjorts i Jordbro.", "then": "next"},
    {
        "verdict": choice("approved", "needs_changes"),
        "comment": text,
        "then": choice("next", "queue"),
    },
)


@FUZZ
@given(
    role=st.sampled_from(["liaison", "liaison", "liaison", "officer", "outsider"]),
    fields=posts(*REVIEW_POST),
)
def test_the_review_form_never_fails(client, users, update, role, fields):
    post_and_check(client, users[role], f"/updates/{update.pk}/review/", fields)


@FUZZ
@given(
    role=roles(),
    fields=st.fixed_dictionaries({}, optional={"archive": choice("0", "1")}),
)
def test_the_archive_form_never_fails(client, users, measure, role, fields):
    post_and_check(client, users[role], f"/measures/{measure.pk}/archive/", fields)


LOGIN_POST = (
    {"username": "officer", "password": "a long enough password 1", "next": "/measures/"},
    {
        "username": choice("officer", "OFFICER", "officer "),
        "password": choice("a long enough password 1"),
        "next": choice("/", "/measures/", "https://evil.example/", "//evil.example/"),
    },
)


@FUZZ
@given(fields=posts(*LOGIN_POST))
def test_the_login_form_never_fails(client, officer, fields):
    # Each example is a first attempt: the lockout after five is another test's subject.
    AccessAttempt.objects.all().delete()
    client.logout()
    before = snapshot()
    response = client.post("/accounts/login/", fields)
    assert response.status_code in ALLOWED, (fields, response.status_code)
    if response.status_code == 200:
        assert snapshot() == before
        assert "Logga in" in response.content.decode()
    else:
        # Wherever `next` said, the login never sends anyone to another site.
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), location


FILTER_NAMES = [*LIST_PARAMS, "from", "to"]
query_dicts = st.dictionaries(
    st.one_of(st.sampled_from(FILTER_NAMES), text),
    st.one_of(text, dates, numbers, st.lists(text, max_size=3)),
    max_size=6,
)
raw_query_strings = st.one_of(
    st.text(max_size=80).map(lambda s: s.encode().decode("latin-1")),
    st.text(max_size=80).map(lambda s: quote(s, safe="=&")),
    st.sampled_from(["%", "%%", "%ff%fe", "=&=&", "a=%00", "page=1e9&o=--", "from=&to=&from="]),
)


@FUZZ
@given(path=st.sampled_from(["/measures/", "/report/", "/measures/export.csv"]), query=query_dicts)
def test_the_list_report_and_export_take_any_query(client, users, measure, update, path, query):
    client.force_login(users["officer"])
    response = client.get(path, query)
    assert response.status_code == 200, (path, query)
    if response.streaming:
        b"".join(response.streaming_content)


@FUZZ
@given(path=st.sampled_from(["/measures/", "/report/"]), raw=raw_query_strings)
def test_the_list_and_report_take_any_raw_query_string(client, users, measure, path, raw):
    client.force_login(users["officer"])
    response = client.get(path, QUERY_STRING=raw)
    assert response.status_code == 200, (path, raw)


def test_an_end_before_the_start_and_outside_the_period_gets_both_messages(
    client, officer, measure_post
):
    """Found by the fuzzing above: the two date errors on one field made a 500."""
    valid, _fields = measure_post
    client.force_login(officer)
    before = snapshot()
    response = client.post(
        "/measures/new/", {**valid, "start_date": "2026-01-01", "end_date": "2024-12-31"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Slutdatumet kan inte ligga före startdatumet." in content
    assert (
        "Datumet måste ligga inom överenskommelsens giltighetstid, 2025-02-11 – 2027-12-31."
        in content
    )
    assert snapshot() == before
