"""The round trip as a property: whatever the measures, their export imports
as unchanged rows, and confirming the import changes nothing.

Measures are generated as the forms would save them (texts stripped, at most
200 characters where the model says so, no personnummer), with the texts that
trouble spreadsheets on purpose: formula characters and apostrophes first,
separators, quotes, line breaks and letters beyond ASCII."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreement.models import Area, FocusArea
from agreement.validators import validate_line, validate_text
from measures.models import ImportBatch, Measure
from measures.roles import MUNICIPAL_STAFF, POLICE_LIAISON
from tests.importing import upload_ok

START = datetime.date(2025, 2, 11)
END = datetime.date(2027, 12, 31)

_letters = st.characters(
    exclude_categories=("Cs", "Cc", "Cn", "Co"), include_characters="\t\n\r;,\"'"
)
_tricky_start = st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", '"', " ", "0", "1e3"])


def _valid(validator):
    def check(text):
        try:
            validator(text)
        except ValidationError:
            return False
        return True

    return check


def _text(max_size, *, one_line=False, required=True):
    """Text as the form saves it: stripped, line breaks as "\\n", and only
    what the model's validators let through (one line for a title or unit,
    no control characters, no personnummer)."""
    text = st.builds(
        lambda head, tail: (head + tail).replace("\r\n", "\n").replace("\r", "\n")[:max_size],
        _tricky_start,
        st.text(_letters, max_size=max_size),
    ).map(str.strip)
    text = text.filter(_valid(validate_line if one_line else validate_text))
    return text.filter(bool) if required else text


@st.composite
def measures(draw, people, focus_areas, areas):
    start = draw(st.dates(START, END))
    return {
        "title": draw(_text(200, one_line=True)),
        "description": draw(_text(400)),
        "cause": draw(_text(400)),
        "operational_goal": draw(_text(400)),
        "responsible_unit": draw(_text(200, one_line=True, required=False)),
        "focus_area": draw(st.sampled_from(focus_areas)),
        "kind": draw(st.sampled_from(Measure.Kind.values)),
        "responsible_party": draw(st.sampled_from(Measure.Party.values)),
        "is_one_off": draw(st.booleans()),
        "is_archived": draw(st.booleans()),
        "status": draw(st.sampled_from(Measure.Status.values)),
        "owner": draw(st.sampled_from([None, *people])),
        "start_date": start,
        "end_date": draw(st.dates(start, END)),
        "areas": draw(st.lists(st.sampled_from(areas), max_size=3, unique=True)),
    }


def _state():
    return {
        "measures": list(Measure.objects.order_by("pk").values()),
        "areas": sorted(Measure.areas.through.objects.values_list("measure_id", "area_id")),
        "history": list(Measure.history.order_by("pk").values_list("history_id", flat=True)),
    }


@pytest.fixture
def people(django_user_model, officer, liaison):
    """Contact persons as the export names them: by full name, with Swedish
    letters, by user name alone, and one who has since left the roles."""
    asa = django_user_model.objects.create_user(
        "asa.oberg", first_name="Åsa", last_name="Öberg-Lind"
    )
    asa.groups.add(Group.objects.get(name=MUNICIPAL_STAFF))
    nameless = django_user_model.objects.create_user("polis4711")
    nameless.groups.add(Group.objects.get(name=POLICE_LIAISON))
    left = django_user_model.objects.create_user("slutat", first_name="Före", last_name="Detta")
    return [officer, liaison, asa, nameless, left]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_export_then_import_changes_nothing(client, officer, agreement, people, data):
    focus_areas = list(FocusArea.objects.filter(agreement=agreement))
    districts = list(Area.objects.all())
    generated = data.draw(
        st.lists(measures(people, focus_areas, districts), min_size=1, max_size=5)
    )
    client.force_login(officer)
    try:
        for fields in generated:
            fields = dict(fields)
            chosen = fields.pop("areas")
            measure = Measure.objects.create(created_by=officer, updated_by=officer, **fields)
            measure.areas.set(chosen)
        before = _state()

        for kind in ("csv", "xlsx"):
            response = client.get(f"/measures/export.{kind}", {"archived": "1"})
            content = b"".join(response.streaming_content) if kind == "csv" else response.content
            batch = upload_ok(client, content, f"export.{kind}")
            rows = {row.line: (row.kind, row.errors, row.changes) for row in batch.rows.all()}
            assert batch.unchanged_count == len(generated), rows

            confirmed = client.post(f"/measures/import/{batch.pk}/confirm/")
            assert confirmed.status_code == 302
            assert _state() == before
    finally:
        ImportBatch.objects.all().delete()
        Measure.history.all().delete()
        Measure.objects.all().delete()
