"""Text hygiene and rule 6 against real-world spellings (issue 8, points 6 and 7).

Every free-text field, admin-only models included, refuses control
characters, direction overrides and text that is only invisible, with a
Swedish message next to the field. A personnummer is found however it was
pasted (Unicode dashes and minus signs, invisible characters, spaces inside
the number, other digits), while phone numbers, case numbers, dates and
amounts pass. Exports never fail on what is stored.
"""

import datetime
import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreement.models import (
    Agreement,
    Area,
    CitizenPromise,
    FocusArea,
    Indicator,
    IndicatorValue,
    Problem,
    SituationReport,
)
from agreement.validators import personnummer_in
from measures.models import Measure, ProgressUpdate
from tests.forms import new_data
from tests.html_forms import browser_post_data

CONTROL = "styrtecken"
BIDI = "vänder läsriktningen"
INVISIBLE = "bara osynliga"
ONE_LINE = "Skriv det här på en rad"
PERSONNUMMER = "personnummer"


def field_error(response, name):
    content = response.content.decode()
    match = re.search(
        rf'<p class="field__error" id="id_{name}_error">([^<]*)</p>', content
    ) or re.search(rf'<ul class="errorlist"[^>]*id="id_{name}_error">(.*?)</ul>', content, re.S)
    return html.unescape(re.sub("<[^>]+>", " ", match.group(1))) if match else ""


# --- The app's forms: (url builder, base data, field)

APP_FIELDS = [
    ("measure", "title"),
    ("measure", "cause"),
    ("measure", "description"),
    ("measure", "operational_goal"),
    ("measure", "responsible_unit"),
    ("update", "summary"),
    ("update", "next_steps"),
    ("review", "comment"),
    ("value", "comment"),
]


@pytest.fixture
def post_app(client, officer, liaison, focus_area, measure, update, indicator):
    def post(form, field, value):
        if form == "value":
            client.force_login(liaison)
            data = {"measured_on": "2025-10-15", "value": "29,4", "comment": "", field: value}
            return client.post(f"/indicators/{indicator.pk}/values/new/", data)
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
                "next_steps": "",
                field: value,
            }
            return client.post(f"/measures/{measure.pk}/updates/new/", data)
        client.force_login(liaison)
        data = {"verdict": "needs_changes", "comment": "Beskriv mer.", field: value}
        return client.post(f"/updates/{update.pk}/review/", data)

    return post


def _counts():
    return (
        Measure.objects.count(),
        ProgressUpdate.objects.count(),
        Measure.history.count(),
        IndicatorValue.objects.count(),
    )


@pytest.mark.parametrize(("form", "field"), APP_FIELDS)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Nattvandring\x07 i Jordbro", CONTROL),
        ("Nattvandring\x1b[31m i Jordbro", CONTROL),
        ("Nattvandring i \u202eorbdroJ", BIDI),
        ("Nattvandring i \u2066Jordbro\u2069", BIDI),
        ("\u200b\u200c\u2060\ufeff", INVISIBLE),
        ("Gäller 850709\u2013\u200b9805", PERSONNUMMER),
    ],
    ids=["bell", "escape", "override", "isolate", "invisible", "personnummer"],
)
def test_every_app_text_field_refuses_bad_text_next_to_the_field(
    post_app, form, field, value, message
):
    before = _counts()

    response = post_app(form, field, value)

    assert response.status_code == 200
    assert message in field_error(response, field)
    assert _counts() == before


def test_a_single_line_field_refuses_a_line_break(post_app):
    response = post_app("measure", "title", "Nattvandring\ni Jordbro")
    assert ONE_LINE in field_error(response, "title")


def test_multi_line_fields_keep_line_breaks_and_tabs(post_app):
    response = post_app("measure", "description", "Punkt ett.\n\tPunkt två.\r\nSlut.")
    assert response.status_code == 302
    assert Measure.objects.get(title="Trygghetsvandring i Handen").description == (
        "Punkt ett.\n\tPunkt två.\nSlut."
    )


@pytest.mark.parametrize(
    "value",
    [
        "Trygghetsvandring 🚶‍♀️ i Handen",  # a zero-width joiner inside an emoji
        "Åsa Öberg på Gudö",
        "Rätt‎ riktning",  # a left-to-right mark is harmless
    ],
)
def test_ordinary_unicode_text_is_accepted(post_app, value):
    response = post_app("measure", "title", value)
    assert response.status_code == 302


# --- Admin-only models, through the admin's forms

ADMIN_FIELDS = [
    (Agreement, "title"),
    (Agreement, "municipality"),
    (Agreement, "police_area"),
    (Agreement, "goal"),
    (FocusArea, "name"),
    (FocusArea, "description"),
    (Area, "name"),
    (Agreement, "plan_decided_by"),
    (Agreement, "plan_reference"),
    (SituationReport, "title"),
    (SituationReport, "summary"),
    (SituationReport, "sources"),
    (Problem, "title"),
    (Problem, "description"),
    (Indicator, "title"),
    (Indicator, "description"),
    (IndicatorValue, "comment"),
    (CitizenPromise, "title"),
    (CitizenPromise, "text"),
    ("user", "first_name"),
    ("user", "last_name"),
]


@pytest.mark.parametrize(("model", "field"), ADMIN_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Haninge\x07kommun", CONTROL),
        ("Haninge \u202ekommun", BIDI),
        ("\u200b", INVISIBLE),
        ("Gäller 850709-9805", PERSONNUMMER),
    ],
    ids=["bell", "override", "invisible", "personnummer"],
)
def test_admin_only_text_fields_refuse_bad_text(
    client,
    admin,
    agreement,
    focus_area,
    jordbro,
    officer,
    problem,
    indicator,
    make_value,
    promise,
    model,
    field,
    value,
    message,
    django_user_model,
):
    model = django_user_model if model == "user" else model
    instance = {
        Agreement: agreement,
        FocusArea: focus_area,
        Area: jordbro,
        SituationReport: problem.situation_report,
        Problem: problem,
        Indicator: indicator,
        IndicatorValue: lambda: make_value(indicator, datetime.date(2025, 10, 15), "29.4"),
        CitizenPromise: promise,
        django_user_model: officer,
    }[model]
    if callable(instance):
        instance = instance()
    client.force_login(admin)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk]
    )
    data = browser_post_data(client.get(url).content.decode())
    data[field] = [value]
    before = getattr(model.objects.get(pk=instance.pk), field)

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert message in " ".join(errors)
    assert getattr(model.objects.get(pk=instance.pk), field) == before


# --- Exports never fail on what is stored


@pytest.mark.parametrize("path", ["/measures/export.csv", "/measures/export.xlsx"])
def test_exports_never_fail_on_stored_control_characters(client, officer, make_measure, path):
    # Stored before the forms refused them, or by a script.
    make_measure(title="Nattvandring\x07\x1b i \ufffeJordbro", cause="Rad ett\x0crad två")
    client.force_login(officer)

    response = client.get(path)

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if path.endswith(".xlsx"):
        rows = list(load_workbook(io.BytesIO(body), read_only=True).active.values)
        column = rows[0].index("Titel")
        titles = [row[column] for row in rows[1:]]
        assert titles == ["Nattvandring i Jordbro"]
    else:
        assert "Nattvandring i Jordbro" in body.decode("utf-8-sig")


# --- Rule 6 against real-world spellings

REFUSED = [
    "Gäller 850709\u20139805",  # en dash, as Word writes it
    "Gäller 850709\u20149805",  # em dash
    "Gäller 850709\u22129805",  # minus sign
    "Gäller 850709\u20109805",  # Unicode hyphen
    "Gäller 850709\u2011" + "9805",  # non-breaking hyphen
    "Gäller \uff18\uff15\uff10\uff17\uff10\uff19-\uff19\uff18\uff10\uff15",  # full-width
    "Gäller \u0668\u0665\u0660\u0667\u0660\u0669-\u0669\u0668\u0660\u0665",  # Arabic-Indic
    "Gäller 850709\u200b-9805",  # zero-width space
    "Gäller 8507\u00ad09-9805",  # soft hyphen
    "Gäller 850709 - 9805",
    "Gäller 85 07 09-9805",
    "Gäller 19850709 9805",
    "Gäller 850709\u00a09805",  # no-break space
    "Gäller 8507099805",
    "Gäller 198507099805",
    "Född 400101+1234",
    "Samordningsnummer 080572-1234",
]

ACCEPTED = [
    "Ring 070-123 45 67",
    "Ring 070 123 45 67",
    "Ring 08-123 456 78",
    "Tel. +46 70 123 45 67",
    "Diarienummer KS 2025/123",
    "Dnr KS/2024:456",
    "Beslut 2025-02-11, § 12",
    "Budget 1 250 000 kr",
    "Möte 2025-03-15 kl. 13.00–15.00",
    "Organisationsnummer 212000-0142",
    "Ärende 2025-000123",
]


@pytest.mark.parametrize("value", REFUSED)
def test_a_personnummer_is_found_however_it_was_pasted(post_app, value):
    response = post_app("measure", "description", value)
    assert response.status_code == 200
    assert "personnummer" in field_error(response, "description")
    assert personnummer_in(value) is not None


@pytest.mark.parametrize("value", ACCEPTED)
def test_harmless_numbers_are_accepted(post_app, value):
    response = post_app("measure", "description", value)
    assert response.status_code == 302, field_error(response, "description")


def test_an_ambiguous_number_gets_a_message_that_says_how_to_write_it(post_app):
    # A phone number written without its separators reads like a personnummer
    # of 2007-01-23 (its control digit is wrong, so it may be either).
    response = post_app("measure", "description", "Ring 0701234567")

    message = field_error(response, "description")
    assert "kan läsas som ett personnummer" in message
    assert "070-123 45 67" in message
    assert post_app("measure", "description", "Ring 070-123 45 67").status_code == 302
