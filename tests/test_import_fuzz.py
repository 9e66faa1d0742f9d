"""Random files and cells to the import, random posts to the bulk edit: never
a 500, and nothing saved unless every row was valid."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from measures.models import ImportBatch, Measure
from tests.importing import IMPORT_HEADERS, csv_bytes, xlsx_bytes
from tests.test_fuzz_forms import NASTY, dates, text

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cells = st.one_of(
    text,
    dates,
    st.sampled_from(
        ["Barn och unga", "barn-och-unga", "Kommunen", "polis", "Social", "Ja", "Jordbro, Vega"]
    ),
    st.integers(-5, 10**12).map(str),
    st.integers(1, 5).map(str),  # IDs and versions that may name the measure
)


def _saved():
    return (Measure.objects.count(), Measure.history.count())


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=500).map(lambda s: s.encode("utf-8")),
    ),
    name=st.sampled_from(["plan.csv", "plan.xlsx", "plan.txt", "plan", "plan.CSV"]),
)
def test_any_bytes_are_answered_without_an_error(as_officer, content, name):
    response = as_officer.post("/measures/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert as_officer.get(response["Location"]).status_code == 200


@FUZZ
@given(
    headers=st.one_of(
        st.just(IMPORT_HEADERS),
        st.lists(st.sampled_from([*IMPORT_HEADERS, *NASTY]), min_size=1, max_size=18),
    ),
    rows=st.lists(st.lists(cells, max_size=18), min_size=1, max_size=6),
    kind=st.sampled_from(["csv", "xlsx"]),
)
def test_any_cells_are_checked_and_saved_only_when_all_rows_are_valid(
    as_officer, measure, headers, rows, kind
):
    try:
        content = csv_bytes(rows, headers) if kind == "csv" else xlsx_bytes(rows, headers)
    except IllegalCharacterError:
        return  # a control character that no workbook can hold
    before = _saved()
    response = as_officer.post(
        "/measures/import/", {"file": SimpleUploadedFile(f"plan.{kind}", content)}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        return
    batch = ImportBatch.objects.order_by("-pk").first()
    assert as_officer.get(f"/measures/import/{batch.pk}/").status_code == 200
    assert as_officer.get(f"/measures/import/{batch.pk}/?show=error&page=2").status_code == 200
    response = as_officer.post(f"/measures/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    if batch.error_count:
        assert _saved() == before


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "ids": st.lists(st.one_of(text, st.integers(-1, 10**6).map(str)), max_size=3),
            "all": st.sampled_from(["1", "", "on", "0"]),
            "filter": st.one_of(text, st.sampled_from(["q=natt", "flag=x", "status=%%"])),
            "action": st.one_of(
                st.sampled_from(
                    ["set_owner", "set_responsible_unit", "set_end_date", "add_area", "archive"]
                ),
                text,
            ),
            "owner": st.one_of(text, st.integers(-1, 10**6).map(str)),
            "responsible_unit": text,
            "end_date": dates,
            "area": st.one_of(text, st.integers(-1, 10**6).map(str)),
            "value": text,
            "fingerprint": text,
            "confirm": st.sampled_from(["1", ""]),
        },
    )
)
def test_any_bulk_post_is_answered_without_an_error(as_officer, measure, data):
    response = as_officer.post("/measures/bulk/", data)
    assert response.status_code in (200, 302)
