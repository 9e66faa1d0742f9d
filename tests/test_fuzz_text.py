"""Generated Unicode text in every free-text field of every form, then the
exports (issue 8, "Done when").

Each example writes text drawn from all of Unicode but surrogates, control
characters and direction overrides included, into one free-text field of
the app's forms or the admin's, and expects 200, 302 or 403 only. Whatever
was accepted must then come out of the CSV and Excel exports as valid files
with one row per measure.
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from agreement.models import Agreement, Area, FocusArea
from measures.models import Measure
from tests.forms import new_data
from tests.html_forms import browser_post_data

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ALLOWED = {200, 302, 403}

TRICKY = [chr(c) for c in range(0x20)] + [
    "\x7f",
    "\x85",
    "\u00ad",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0001f693",
    "=",
    "+",
    "-",
    "@",
    ";",
    '"',
    "ö",
    " ",
    "8",
    "5",
    "0",
]
unicode_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.text(st.sampled_from(TRICKY), max_size=25),
    st.text(st.sampled_from(TRICKY) | st.characters(exclude_categories=("Cs",)), max_size=12),
)

APP_FORMS = {
    "measure": ["title", "cause", "description", "operational_goal", "responsible_unit"],
    "update": ["summary", "next_steps"],
    "review": ["comment"],
}


def check_exports(client):
    """Both exports answer with a file that opens, one row per live measure."""
    expected = Measure.objects.filter(is_archived=False).count()
    response = client.get("/measures/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))
    assert len(rows) == expected + 1
    assert {len(row) for row in rows} == {len(rows[0])}

    response = client.get("/measures/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == expected


@pytest.fixture
def app_post(client, officer, liaison, focus_area, make_measure, make_update):
    measure = make_measure(responsible_party=Measure.Party.GEMENSAM)

    def post(form, field, value):
        if form == "measure":
            client.force_login(officer)
            return client.post("/measures/new/", new_data(focus_area, **{field: value}))
        if form == "update":
            client.force_login(officer)
            data = {
                "reported_on": timezone.localdate().isoformat(),
                "status": "in_progress",
                "progress": "40",
                "assessment": "green",
                "summary": "Fyra vandringar.",
                field: value,
            }
            return client.post(f"/measures/{measure.pk}/updates/new/", data)
        update = make_update(measure)
        client.force_login(liaison)
        data = {"verdict": "needs_changes", "comment": "Beskriv mer.", field: value}
        return client.post(f"/updates/{update.pk}/review/", data)

    return post


@pytest.mark.parametrize("form", sorted(APP_FORMS))
@FUZZ
@given(data=st.data())
def test_any_text_in_the_apps_forms_gives_a_page_and_valid_exports(
    client, officer, app_post, form, data
):
    field = data.draw(st.sampled_from(APP_FORMS[form]))
    value = data.draw(unicode_text)

    response = app_post(form, field, value)

    event(f"{form}: HTTP {response.status_code}")
    assert response.status_code in ALLOWED, (field, value)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200
    client.force_login(officer)
    assert client.get("/measures/").status_code == 200
    check_exports(client)


ADMIN_FIELDS = {
    Agreement: ["title", "municipality", "police_area", "goal"],
    FocusArea: ["name", "description"],
    Area: ["name"],
    "user": ["first_name", "last_name"],
}


@pytest.mark.parametrize("model", list(ADMIN_FIELDS), ids=lambda m: getattr(m, "__name__", m))
@FUZZ
@given(data=st.data())
def test_any_text_in_the_admins_forms_gives_a_page_and_valid_exports(
    client,
    admin,
    officer,
    agreement,
    focus_area,
    jordbro,
    make_measure,
    model,
    data,
    django_user_model,
):
    make_measure(owner=officer, areas=[jordbro])
    fields = ADMIN_FIELDS[model]
    model = django_user_model if model == "user" else model
    instance = {Agreement: agreement, FocusArea: focus_area, Area: jordbro}.get(model, officer)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk]
    )
    client.force_login(admin)
    post = browser_post_data(client.get(url).content.decode())
    post[data.draw(st.sampled_from(fields))] = [data.draw(unicode_text)]

    response = client.post(url, post)

    event(f"{model.__name__}: HTTP {response.status_code}")
    assert response.status_code in ALLOWED
    for path in ["/", "/measures/", "/agreement/", f"/areas/{jordbro.slug}/"]:
        assert client.get(path).status_code == 200, path
    check_exports(client)
