"""Files to import, built as a spreadsheet user would make them, shared by
the import's test modules."""

import csv
import html
import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from measures.models import ImportBatch

# The export's columns (tests/test_exports.py pins them all); these are the
# ones the import reads, in the export's order.
IMPORT_HEADERS = [
    "ID",
    "Version",
    "Titel",
    "Fokusområde",
    "Ansvarig part",
    "Ansvarig enhet",
    "Kontaktperson",
    "Kommundelar",
    "Typ av åtgärd",
    "Punktinsats",
    "Startdatum",
    "Slutdatum",
    "Orsak",
    "Åtgärd",
    "Operativt mål",
]
NEW_HEADERS = IMPORT_HEADERS[2:]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_row(**changes):
    """A complete, valid row for a new measure, by Swedish header."""
    row = {
        "Titel": "Trygghetsvandring i Vega",
        "Fokusområde": "Offentlig miljö",
        "Ansvarig part": "Gemensamt",
        "Ansvarig enhet": "Samhällsbyggnadsförvaltningen",
        "Kontaktperson": "",
        "Kommundelar": "Vega, Handen",
        "Typ av åtgärd": "Situationell",
        "Punktinsats": "Ja",
        "Startdatum": "2025-04-01",
        "Slutdatum": "2025-10-31",
        "Orsak": "Otrygghet vid pendeltåget kvällstid.",
        "Åtgärd": "Boende, kommunen och polisen går runt och noterar brister.",
        "Operativt mål": "En åtgärdslista till tekniska nämnden före sommaren.",
    }
    row.update(changes)
    return row


def csv_bytes(rows, headers=None, *, delimiter=";", encoding="utf-8-sig"):
    """A CSV file of `rows` (dicts by header, or lists)."""
    if headers is None:
        headers = list(rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=None, *, more_sheets=(), edit=None):
    """An Excel workbook of `rows`; `edit(sheet)` may change the first sheet."""
    if headers is None:
        headers = list(rows[0])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Åtgärder"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
    for title in more_sheets:
        workbook.create_sheet(title).append(["Anteckningar"])
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_csv_export(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def edit_csv_export(response, edit):
    """The CSV export with `edit(row)` applied to each row (a dict by header),
    written back as the export writes it: `;`, UTF-8 with BOM."""
    headers, rows = read_csv_export(response)
    for row in rows:
        edit(row)
    return csv_bytes(rows, headers)


def edit_xlsx_export(response, edit):
    """The Excel export with `edit(row)` applied to each row, as Excel would save it."""
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        row = dict(zip(headers, [cell.value for cell in cells], strict=True))
        edit(row)
        for cell, header in zip(cells, headers, strict=True):
            # Only what was edited: openpyxl would store text starting with
            # "=" as a formula, where Excel keeps a text cell as text.
            if cell.value != row[header]:
                cell.value = row[header]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="atgarder.csv"):
    return client.post("/measures/import/", {"file": SimpleUploadedFile(name, content)})


def upload_ok(client, content, name="atgarder.csv"):
    """Upload a file that the reader accepts; the preview's batch."""
    response = upload(client, content, name)
    assert response.status_code == 302, page_errors(response)
    batch = ImportBatch.objects.order_by("-pk").first()
    assert response["Location"] == f"/measures/import/{batch.pk}/"
    return batch


def page_errors(response):
    """The Swedish error messages a page shows, as text."""
    content = response.content.decode()
    return [
        html.unescape(error)
        for error in re.findall(r'class="field__error"[^>]*>(.*?)</p>', content, re.S)
    ]


def rows_of(batch):
    """{row number: (kind, errors, changes)} of a batch."""
    return {row.line: (row.kind, row.errors, row.changes) for row in batch.rows.order_by("line")}
