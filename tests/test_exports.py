"""The CSV and Excel exports of the filtered list of measures."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from agreement.models import FocusArea
from measures.models import Measure

DAY = datetime.timedelta(days=1)

FLAG_HEADERS = [
    "Utanför överenskommelsens period",
    "Försenad",
    "Inte påbörjad",
    "Ingen aktuell uppföljning",
    "Saknar kontaktperson",
    "Överenskommelsen löper snart ut",
]
HEADERS = [
    "ID",
    "Version",
    "Titel",
    "Fokusområde",
    "Status",
    "Ansvarig part",
    "Ansvarig enhet",
    "Kontaktperson",
    "Kommundelar",
    "Typ av åtgärd",
    "Punktinsats",
    "Startdatum",
    "Slutdatum",
    "Senaste rapport",
    "Genomfört (%)",
    "Bedömning",
    "Arkiverad",
    *FLAG_HEADERS,
    "Orsak",
    "Åtgärd",
    "Operativt mål",
]

DANGEROUS_TITLES = [
    '=HYPERLINK("http://x")',
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "\tTabb först",
    "\rVagnretur först",
]

LIST_ROW = re.compile(r'<td(?: class="col-title")?><a href="/measures/(\d+)/">')


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook.active


@pytest.fixture
def measures(around_today, agreement, make_measure, make_update, jordbro, officer):
    today = around_today
    public = FocusArea.objects.get(agreement=agreement, slug="offentlig-miljo")
    m = {
        "overdue": make_measure(
            title="Försenad nattvandring",
            status=Measure.Status.IN_PROGRESS,
            start_date=today - datetime.timedelta(days=30),
            end_date=today - DAY,
            areas=[jordbro],
            responsible_unit="Kultur- och fritidsförvaltningen",
            is_one_off=True,
        ),
        "done": make_measure(
            title="Klar belysning",
            status=Measure.Status.DONE,
            start_date=today - datetime.timedelta(days=60),
            end_date=today - datetime.timedelta(days=10),
            focus_area=public,
            kind=Measure.Kind.SITUATIONAL,
            responsible_party=Measure.Party.GEMENSAM,
        ),
        "ownerless": make_measure(
            title="Trygghetsvandring utan kontaktperson",
            owner=None,
            status=Measure.Status.IN_PROGRESS,
            start_date=today,
            end_date=today + datetime.timedelta(days=60),
        ),
        "archived": make_measure(
            title="Arkiverad åtgärd",
            status=Measure.Status.IN_PROGRESS,
            start_date=today,
            end_date=today + datetime.timedelta(days=60),
            is_archived=True,
        ),
    }
    make_update(
        m["overdue"],
        reported_on=today - datetime.timedelta(days=3),
        progress=45,
        assessment="yellow",
    )
    return m


def _csv(client, user, query=None):
    client.force_login(user)
    response = client.get("/measures/export.csv", query or {})
    assert response.status_code == 200
    return read_csv(response)


# --- CSV


def test_the_csv_is_a_semicolon_separated_utf8_file_with_a_bom(client, officer, measures):
    client.force_login(officer)
    response = client.get("/measures/export.csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="atgarder-{today}.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    first_line = raw.decode("utf-8")[1:].splitlines()[0]
    assert first_line == ";".join(HEADERS)


def test_the_csv_has_swedish_headers_and_one_row_per_live_measure(client, officer, measures):
    headers, rows = _csv(client, officer)
    assert headers == HEADERS
    live = [m for key, m in measures.items() if key != "archived"]
    assert sorted(int(row["ID"]) for row in rows) == sorted(m.pk for m in live)


def test_the_csv_writes_each_measure_out_in_swedish(client, officer, measures, around_today):
    _headers, rows = _csv(client, officer)
    by_id = {int(row["ID"]): row for row in rows}
    overdue = by_id[measures["overdue"].pk]
    assert overdue["Titel"] == "Försenad nattvandring"
    assert overdue["Fokusområde"] == "Barn och unga"
    assert overdue["Status"] == "Pågår"
    assert overdue["Ansvarig part"] == "Kommunen"
    assert overdue["Ansvarig enhet"] == "Kultur- och fritidsförvaltningen"
    assert overdue["Kontaktperson"] == measures["overdue"].owner.get_full_name()
    assert overdue["Kommundelar"] == "Jordbro"
    assert overdue["Typ av åtgärd"] == "Social"
    assert overdue["Punktinsats"] == "Ja"
    assert overdue["Startdatum"] == (around_today - datetime.timedelta(days=30)).isoformat()
    assert overdue["Slutdatum"] == (around_today - DAY).isoformat()
    assert overdue["Senaste rapport"] == (around_today - datetime.timedelta(days=3)).isoformat()
    assert overdue["Genomfört (%)"] == "45"
    assert overdue["Bedömning"] == "Gul: risk för avvikelse"
    assert overdue["Arkiverad"] == "Nej"
    done = by_id[measures["done"].pk]
    assert done["Status"] == "Klar"
    assert done["Ansvarig part"] == "Gemensamt"
    assert done["Typ av åtgärd"] == "Situationell"
    assert done["Punktinsats"] == "Nej"
    assert done["Senaste rapport"] == ""
    assert done["Genomfört (%)"] == ""
    assert done["Bedömning"] == "Ej bedömd"
    assert by_id[measures["ownerless"].pk]["Kontaktperson"] == ""


def test_the_csv_gives_each_flag_a_column_of_ja_and_nej(client, officer, measures):
    _headers, rows = _csv(client, officer)
    by_id = {int(row["ID"]): row for row in rows}
    expected = {
        "overdue": {"Försenad"},
        "done": set(),
        "ownerless": {"Saknar kontaktperson"},
    }
    for key, flags in expected.items():
        row = by_id[measures[key].pk]
        for header in FLAG_HEADERS:
            assert row[header] == ("Ja" if header in flags else "Nej"), (key, header)


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ({}, {"overdue", "done", "ownerless"}),
        ({"status": "done"}, {"done"}),
        ({"flag": "overdue"}, {"overdue"}),
        ({"flag": "no_owner"}, {"ownerless"}),
        ({"q": "belysning"}, {"done"}),
        ({"responsible_party": "gemensam"}, {"done"}),
        ({"archived": "1"}, {"overdue", "done", "ownerless", "archived"}),
        ({"archived": "1", "status": "in_progress"}, {"overdue", "ownerless", "archived"}),
        ({"q": "arkiverad"}, set()),
        ({"o": "-title"}, {"overdue", "done", "ownerless"}),
    ],
)
def test_the_csv_takes_the_lists_filters(client, officer, measures, query, keys):
    _headers, rows = _csv(client, officer, query)
    exported = {int(row["ID"]) for row in rows}
    assert exported == {measures[key].pk for key in keys}
    listed = client.get("/measures/", query).content.decode()
    assert {int(pk) for pk in LIST_ROW.findall(listed)} == exported


def test_the_csv_filters_by_focus_area_and_district(client, officer, measures, jordbro):
    public = measures["done"].focus_area
    _headers, rows = _csv(client, officer, {"focus_area": public.pk})
    assert [int(row["ID"]) for row in rows] == [measures["done"].pk]
    _headers, rows = _csv(client, officer, {"areas": jordbro.pk})
    assert [int(row["ID"]) for row in rows] == [measures["overdue"].pk]


def test_the_csv_lists_archived_measures_as_archived(client, officer, measures):
    _headers, rows = _csv(client, officer, {"archived": "1"})
    by_id = {int(row["ID"]): row for row in rows}
    assert by_id[measures["archived"].pk]["Arkiverad"] == "Ja"
    # Archived measures carry no flags.
    assert {by_id[measures["archived"].pk][h] for h in FLAG_HEADERS} == {"Nej"}


def test_the_csv_follows_the_lists_sort_order(client, officer, measures):
    _headers, rows = _csv(client, officer, {"o": "title"})
    titles = [row["Titel"] for row in rows]
    assert titles == sorted(titles)
    _headers, rows = _csv(client, officer, {"o": "-title"})
    assert [row["Titel"] for row in rows] == sorted(titles, reverse=True)


@pytest.mark.parametrize("title", DANGEROUS_TITLES)
def test_the_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(
    client, officer, make_measure, title
):
    measure = make_measure(title=title, cause="=1+1", responsible_unit="@polisen")
    _headers, rows = _csv(client, officer)
    (row,) = [row for row in rows if int(row["ID"]) == measure.pk]
    assert row["Titel"] == "'" + title
    assert row["Orsak"] == "'=1+1"
    assert row["Ansvarig enhet"] == "'@polisen"


def test_the_csv_guards_text_that_starts_with_the_guards_apostrophe(client, officer, make_measure):
    """So that the import can always tell the guard from the text."""
    measure = make_measure(title="'=inte en formel")
    _headers, rows = _csv(client, officer)
    (row,) = [row for row in rows if int(row["ID"]) == measure.pk]
    assert row["Titel"] == "''=inte en formel"


def test_both_exports_carry_each_measures_version(client, officer, make_measure):
    """The import of an edited export tells by it whether the measure was
    saved since the export."""
    measure = make_measure()
    Measure.objects.filter(pk=measure.pk).update(version=4)
    _headers, rows = _csv(client, officer)
    assert [(row["ID"], row["Version"]) for row in rows] == [(str(measure.pk), "4")]
    sheet = read_xlsx(client.get("/measures/export.xlsx"))
    assert list(sheet.iter_rows(min_row=2, max_col=2, values_only=True)) == [(measure.pk, 4)]


def test_the_csv_leaves_ordinary_text_alone(client, officer, make_measure):
    measure = make_measure(title="Nattvandring i Handen - fredagar", cause="Mer än 5 = för många")
    _headers, rows = _csv(client, officer)
    (row,) = [row for row in rows if int(row["ID"]) == measure.pk]
    assert row["Titel"] == "Nattvandring i Handen - fredagar"
    assert row["Orsak"] == "Mer än 5 = för många"


# --- XLSX


def test_the_xlsx_opens_with_a_header_row_and_the_same_rows_as_the_csv(client, officer, measures):
    client.force_login(officer)
    response = client.get("/measures/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="atgarder-{today}.xlsx"'
    sheet = read_xlsx(response)
    assert sheet.title == "Åtgärder"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    _headers, csv_rows = _csv(client, officer)
    assert len(rows) - 1 == len(csv_rows) == 3
    assert sorted(row[0] for row in rows[1:]) == sorted(int(row["ID"]) for row in csv_rows)
    by_id = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    overdue = by_id[measures["overdue"].pk]
    assert overdue["Titel"] == "Försenad nattvandring"
    assert overdue["Försenad"] == "Ja"
    assert overdue["Saknar kontaktperson"] == "Nej"
    assert overdue["Bedömning"] == "Gul: risk för avvikelse"


def test_the_xlsx_takes_the_lists_filters(client, officer, measures):
    client.force_login(officer)
    sheet = read_xlsx(client.get("/measures/export.xlsx", {"flag": "no_owner"}))
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [measures["ownerless"].pk]
    sheet = read_xlsx(client.get("/measures/export.xlsx", {"archived": "1"}))
    assert sheet.max_row - 1 == 4


@pytest.mark.parametrize("title", DANGEROUS_TITLES)
def test_the_xlsx_stores_formula_like_text_as_text_cells(client, officer, make_measure, title):
    measure = make_measure(title=title)
    client.force_login(officer)
    response = client.get("/measures/export.xlsx")
    sheet = read_xlsx(response)
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == measure.pk]
    cell = row[HEADERS.index("Titel")]
    assert cell.data_type == "s"
    # Shown as typed; XML reads a carriage return back as a line feed.
    assert cell.value == title.replace("\r", "\n")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml


def test_the_hyperlink_title_is_a_text_cell_in_the_xlsx(client, officer, make_measure):
    measure = make_measure(title='=HYPERLINK("http://x")')
    client.force_login(officer)
    sheet = read_xlsx(client.get("/measures/export.xlsx"))
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == measure.pk]
    cell = row[HEADERS.index("Titel")]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x")'


# --- Access


@pytest.mark.parametrize("path", ["/measures/export.csv", "/measures/export.xlsx"])
def test_exports_need_a_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", ["/measures/export.csv", "/measures/export.xlsx"])
def test_exports_need_the_view_permission(client, outsider, measures, path):
    client.force_login(outsider)
    response = client.get(path)
    assert response.status_code == 403
    assert "Du har ingen roll i appen ännu" in response.content.decode()


@pytest.mark.parametrize("path", ["/measures/export.csv", "/measures/export.xlsx"])
def test_a_police_liaison_may_export(client, liaison, measures, path):
    client.force_login(liaison)
    assert client.get(path).status_code == 200
