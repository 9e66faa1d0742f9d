"""/measures/import/: a spreadsheet in, a preview of every row, then one
confirmation that saves all rows or none."""

import datetime
import html
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreement.models import FocusArea
from measures.models import ImportBatch, ImportRow, Measure
from tests.importing import (
    IMPORT_HEADERS,
    NEW_HEADERS,
    csv_bytes,
    edit_csv_export,
    edit_xlsx_export,
    new_row,
    page_errors,
    rows_of,
    upload,
    upload_ok,
    xlsx_bytes,
)

PERIOD = "2025-02-11 – 2027-12-31"
IMPORT_REASON = "Importerad från filen"


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def plan(make_measure, jordbro, officer, other_officer):
    """Three measures as an exported action plan would hold them."""
    return [
        make_measure(
            title="Nattvandring i Jordbro centrum",
            areas=[jordbro],
            responsible_unit="Kultur- och fritidsförvaltningen",
            is_one_off=True,
        ),
        make_measure(
            title="Belysning i gångtunneln",
            kind=Measure.Kind.SITUATIONAL,
            responsible_party=Measure.Party.GEMENSAM,
            owner=other_officer,
            cause="Mörkt och otryggt.\r\nSärskilt vintertid.",
        ),
        make_measure(title='=HYPERLINK("http://x")', owner=None, responsible_unit="@polisen"),
    ]


def state():
    """Everything an import could change."""
    return {
        "measures": list(Measure.objects.order_by("pk").values()),
        "areas": sorted(Measure.areas.through.objects.values_list("measure_id", "area_id")),
        "history": Measure.history.count(),
    }


def export(client, kind, **query):
    response = client.get(f"/measures/export.{kind}", query)
    assert response.status_code == 200
    return response


def exported(client, kind, **query):
    response = export(client, kind, **query)
    if kind == "csv":
        return b"".join(response.streaming_content)
    return response.content


def confirm(client, batch):
    return client.post(f"/measures/import/{batch.pk}/confirm/")


def preview(client, batch, **query):
    response = client.get(f"/measures/import/{batch.pk}/", query)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- The round trip


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_apps_own_export_imports_unchanged_and_confirming_changes_nothing(
    as_officer, plan, kind
):
    before = state()

    batch = upload_ok(as_officer, exported(as_officer, kind), f"atgarder.{kind}")

    assert batch.unchanged_count == 3
    assert (batch.new_count, batch.changed_count, batch.error_count) == (0, 0, 0)
    assert {row.measure_id for row in batch.rows.all()} == {m.pk for m in plan}
    content = preview(as_officer, batch)
    assert '3</span><span class="stat__label">oförändrade' in content
    assert "Alla åtgärder i filen är redan som filen säger" in content

    response = confirm(as_officer, batch)

    assert response.status_code == 302
    assert state() == before
    messages = as_officer.get(response["Location"]).content.decode()
    assert "Inget behövde sparas: alla åtgärder var redan som i filen." in messages


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_edited_export_changes_exactly_what_was_edited(
    as_officer, plan, officer, other_officer, kind
):
    walk, light, hyperlink = plan
    untouched = Measure.objects.filter(pk=hyperlink.pk).values().get()
    history = {m.pk: m.history.count() for m in plan}
    edit = edit_csv_export if kind == "csv" else edit_xlsx_export

    def change(row):
        if int(row["ID"]) == walk.pk:
            row["Slutdatum"] = "2027-06-30"
            row["Kommundelar"] = "Jordbro, Brandbergen"
        elif int(row["ID"]) == light.pk:
            row["Titel"] = "Belysning i gångtunneln vid Handen"
            row["Kontaktperson"] = officer.get_username()

    batch = upload_ok(as_officer, edit(export(as_officer, kind), change), f"atgarder.{kind}")

    assert (batch.changed_count, batch.unchanged_count, batch.error_count) == (2, 1, 0)
    rows = {row.measure_id: row for row in batch.rows.all()}
    assert rows[walk.pk].changes == [
        ["Kommundelar", "Jordbro", "Brandbergen, Jordbro"],
        ["Slutdatum", "2026-06-30", "2027-06-30"],
    ]
    assert rows[light.pk].changes == [
        ["Titel", "Belysning i gångtunneln", "Belysning i gångtunneln vid Handen"],
        ["Kontaktperson", other_officer.get_full_name(), officer.get_full_name()],
    ]
    content = preview(as_officer, batch)
    assert "<del>2026-06-30</del>" in content
    assert "<ins>2027-06-30</ins>" in content
    # Nothing is saved before the confirmation.
    walk.refresh_from_db()
    assert walk.end_date == datetime.date(2026, 6, 30)

    assert confirm(as_officer, batch).status_code == 302

    walk.refresh_from_db()
    light.refresh_from_db()
    assert walk.end_date == datetime.date(2027, 6, 30)
    assert {a.slug for a in walk.areas.all()} == {"jordbro", "brandbergen"}
    assert light.title == "Belysning i gångtunneln vid Handen"
    assert light.owner == officer
    # What the rows did not change stays as it was, to the byte.
    assert light.cause == "Mörkt och otryggt.\r\nSärskilt vintertid."
    assert Measure.objects.filter(pk=hyperlink.pk).values().get() == untouched
    for measure in (walk, light):
        assert measure.version == 2
        assert measure.updated_by == officer
        newest = measure.history.order_by("-history_id").first()
        assert newest.history_change_reason == f"{IMPORT_REASON} atgarder.{kind}"
        assert newest.history_user == officer
        # One history entry for the whole row, districts included.
        assert measure.history.count() == history[measure.pk] + 1
    assert sorted(
        walk.history.order_by("-history_id").first().areas.values_list("area__slug", flat=True)
    ) == ["brandbergen", "jordbro"]


def test_the_history_on_the_measures_page_shows_the_import_and_its_reason(as_officer, plan):
    walk = plan[0]

    def change(row):
        if int(row["ID"]) == walk.pk:
            row["Titel"] = "Nattvandring i Jordbro och Handen"

    batch = upload_ok(as_officer, edit_csv_export(export(as_officer, "csv"), change), "plan.csv")
    confirm(as_officer, batch)

    content = html.unescape(as_officer.get(f"/measures/{walk.pk}/").content.decode())
    history = content[content.index("Ändringshistorik") :]
    assert (
        "<td>Titel</td><td><del>Nattvandring i Jordbro centrum</del></td>"
        "<td><ins>Nattvandring i Jordbro och Handen</ins></td>"
        "<td>Importerad från filen plan.csv</td>"
    ) in history
    assert '<th scope="col">Anledning</th>' in history


def test_an_import_just_after_the_measure_was_created_shows_in_its_history(as_officer, focus_area):
    """The history folds a creation's districts, written a moment later by the
    same person, into the creation; an import's change is never folded."""
    from tests.forms import new_data

    as_officer.post("/measures/new/", new_data(focus_area, areas=[]))
    measure = Measure.objects.get()

    def change(row):
        row["Titel"] = "Trygghetsvandring i Handen, etapp 2"

    batch = upload_ok(as_officer, edit_csv_export(export(as_officer, "csv"), change), "p.csv")
    confirm(as_officer, batch)

    content = html.unescape(as_officer.get(f"/measures/{measure.pk}/").content.decode())
    assert (
        "<td><ins>Trygghetsvandring i Handen, etapp 2</ins></td>"
        "<td>Importerad från filen p.csv</td>"
    ) in content


def test_new_rows_create_measures_with_their_districts_in_one_history_entry(
    as_officer, officer, other_officer
):
    rows = [
        new_row(Kontaktperson=other_officer.get_full_name()),
        new_row(Titel="Föräldravandring", Kommundelar="", Punktinsats="Nej"),
    ]

    batch = upload_ok(as_officer, csv_bytes(rows, NEW_HEADERS), "ny-plan.csv")

    assert (batch.new_count, batch.error_count) == (2, 0)
    assert "En ny åtgärd." in preview(as_officer, batch)
    response = confirm(as_officer, batch)
    assert response.status_code == 302
    assert response["Location"] == "/measures/"
    follow = as_officer.get("/measures/").content.decode()
    assert "Filen har importerats: 2 nya och 0 ändrade åtgärder." in follow

    vega = Measure.objects.get(title="Trygghetsvandring i Vega")
    assert vega.focus_area.slug == "offentlig-miljo"
    assert (vega.responsible_party, vega.kind, vega.is_one_off) == ("gemensam", "situational", True)
    assert vega.responsible_unit == "Samhällsbyggnadsförvaltningen"
    assert vega.owner == other_officer
    assert {a.slug for a in vega.areas.all()} == {"vega", "handen"}
    assert (vega.start_date, vega.end_date) == (
        datetime.date(2025, 4, 1),
        datetime.date(2025, 10, 31),
    )
    assert (vega.status, vega.version, vega.is_archived) == ("planned", 1, False)
    assert vega.created_by == vega.updated_by == officer
    (created,) = vega.history.all()
    assert (created.history_type, created.history_user) == ("+", officer)
    assert created.history_change_reason == "Importerad från filen ny-plan.csv"
    assert {a.area.slug for a in created.areas.all()} == {"vega", "handen"}
    parents = Measure.objects.get(title="Föräldravandring")
    assert (parents.is_one_off, list(parents.areas.all())) == (False, [])

    content = html.unescape(as_officer.get(f"/measures/{vega.pk}/").content.decode())
    assert "Skapade åtgärden</td><td>Importerad från filen ny-plan.csv</td>" in content


def test_names_are_read_as_the_export_writes_them_and_by_slug_or_user_name(as_officer, liaison):
    row = new_row(
        Fokusområde="barn-och-unga",
        **{
            "Ansvarig part": "polis",
            "Typ av åtgärd": "SOCIAL",
            "Kontaktperson": liaison.get_username(),
            "Kommundelar": "jordbro;  VÄSTERHANINGE",
            "Punktinsats": "nej",
        },
    )
    batch = upload_ok(as_officer, csv_bytes([row], NEW_HEADERS))
    assert rows_of(batch)[2][0] == "new", rows_of(batch)
    confirm(as_officer, batch)

    measure = Measure.objects.get()
    assert measure.focus_area.slug == "barn-och-unga"
    assert (measure.responsible_party, measure.kind, measure.owner) == ("polis", "social", liaison)
    assert {a.slug for a in measure.areas.all()} == {"jordbro", "vasterhaninge"}


@pytest.mark.parametrize(
    ("cell", "saved"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+46 8 123", "+46 8 123"),
        ("'@polisen", "@polisen"),
        ("''citat'", "'citat'"),
        ("'vanlig apostrof", "'vanlig apostrof"),
        ("Nattvandring - fredagar", "Nattvandring - fredagar"),
    ],
)
def test_the_formula_guards_apostrophe_is_removed_from_csv(as_officer, cell, saved):
    batch = upload_ok(as_officer, csv_bytes([new_row(Titel=cell)], NEW_HEADERS))
    confirm(as_officer, batch)
    assert Measure.objects.get().title == saved


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ";"), ("utf-8", ","), ("cp1252", ";"), ("cp1252", ",")],
)
def test_csv_in_utf8_or_windows_1252_with_semicolons_or_commas(as_officer, encoding, delimiter):
    row = new_row(Titel="Öppen förskola i Västerhaninge, Tungelsta", Kommundelar="Västerhaninge")
    content = csv_bytes([row], NEW_HEADERS, delimiter=delimiter, encoding=encoding)

    batch = upload_ok(as_officer, content)

    assert rows_of(batch)[2][0] == "new", rows_of(batch)
    confirm(as_officer, batch)
    measure = Measure.objects.get()
    assert measure.title == "Öppen förskola i Västerhaninge, Tungelsta"
    assert [a.name for a in measure.areas.all()] == ["Västerhaninge"]


def test_excel_dates_numbers_and_booleans_are_read_as_values(as_officer):
    def typed(sheet):
        sheet["H2"] = True  # Punktinsats
        sheet["I2"] = datetime.datetime(2025, 5, 1)
        sheet["J2"] = datetime.date(2025, 9, 30)
        sheet["D2"] = 2025  # Ansvarig enhet: a number typed into a text column

    batch = upload_ok(as_officer, xlsx_bytes([new_row()], NEW_HEADERS, edit=typed), "plan.xlsx")
    assert rows_of(batch)[2][0] == "new", rows_of(batch)
    confirm(as_officer, batch)
    measure = Measure.objects.get()
    assert (measure.is_one_off, measure.responsible_unit) == (True, "2025")
    assert (measure.start_date, measure.end_date) == (
        datetime.date(2025, 5, 1),
        datetime.date(2025, 9, 30),
    )


def test_a_partial_sheet_leaves_the_columns_it_lacks_alone(as_officer, plan):
    """Optional columns may be left out; existing measures keep those values."""
    walk = plan[0]
    headers = [h for h in IMPORT_HEADERS if h not in ("Kommundelar", "Kontaktperson")]
    row = {
        "ID": walk.pk,
        "Version": walk.version,
        "Titel": walk.title,
        "Fokusområde": "Barn och unga",
        "Ansvarig part": "Kommunen",
        "Ansvarig enhet": "Fritidsgårdarna",
        "Typ av åtgärd": "Social",
        "Punktinsats": "Ja",
        "Startdatum": "2025-03-01",
        "Slutdatum": "2026-06-30",
        "Orsak": walk.cause,
        "Åtgärd": walk.description,
        "Operativt mål": walk.operational_goal,
    }
    batch = upload_ok(as_officer, csv_bytes([row], headers))
    assert rows_of(batch)[2][2] == [
        ["Ansvarig enhet", "Kultur- och fritidsförvaltningen", "Fritidsgårdarna"]
    ]
    confirm(as_officer, batch)
    walk.refresh_from_db()
    assert walk.responsible_unit == "Fritidsgårdarna"
    assert [a.slug for a in walk.areas.all()] == ["jordbro"]
    assert walk.owner is not None


# --- The preview


def test_the_preview_survives_a_reload_and_lists_errors_first(as_officer):
    rows = [new_row(Titel=f"Åtgärd {n:03}") for n in range(120)]
    rows[70]["Slutdatum"] = "2025-02-30"
    rows[99]["Fokusområde"] = "Skolan"
    batch = upload_ok(as_officer, csv_bytes(rows, NEW_HEADERS))

    first = preview(as_officer, batch)
    again = preview(as_officer, batch)

    assert first.count("<tr") == again.count("<tr") == 51  # the header and 50 rows
    assert "Sida 1 av 3" in first
    # The two rows with errors come first, by their number in the sheet.
    assert (
        first.index('<th scope="row" class="num">72</th>')
        < first.index('<th scope="row" class="num">101</th>')
        < first.index('<th scope="row" class="num">2</th>')
    )
    last = preview(as_officer, batch, show="all", page=3)
    assert last.count('<th scope="row"') == 20
    only_errors = preview(as_officer, batch, show="error")
    assert only_errors.count('<th scope="row"') == 2
    assert "2 rader har fel" in only_errors


def test_the_row_numbers_are_the_sheets_own(as_officer):
    """The header is row 1; an empty row in the sheet keeps its number."""
    rows = [new_row(), ["", "", ""], new_row(Startdatum="11/02/2025")]
    content = csv_bytes(rows, NEW_HEADERS)
    batch = upload_ok(as_officer, content)
    assert {line: kind for line, (kind, _e, _c) in rows_of(batch).items()} == {
        2: "new",
        4: "error",
    }


def test_the_preview_runs_the_same_queries_for_50_rows_as_for_a_few(
    as_officer, django_assert_num_queries
):
    """The rows of a page are one query, and the counts were stored with the
    batch, so the page costs the same whatever the file's length."""
    small = upload_ok(as_officer, csv_bytes([new_row()] * 3, NEW_HEADERS))
    large = upload_ok(as_officer, csv_bytes([new_row()] * 400, NEW_HEADERS))
    preview(as_officer, small)
    with CaptureQueriesContext(connection) as few:
        preview(as_officer, small)

    with django_assert_num_queries(len(few)):
        content = preview(as_officer, large)
    assert content.count('<th scope="row"') == 50


def test_checking_a_file_runs_the_same_queries_for_3_rows_as_for_300(as_officer, make_measure):
    """Focus areas, districts, people and the measures the file names are each
    loaded once per file, never per row. Only storing the preview's rows grows
    with the file: they are inserted in batches (of 500, or fewer where the
    database takes fewer parameters per query, as SQLite does)."""
    for n in range(3):
        make_measure(title=f"Liten {n}")
    for _ in range(297):
        make_measure()
    few = exported(as_officer, "csv", q="Liten")
    many = exported(as_officer, "csv")

    def reading(content):
        with CaptureQueriesContext(connection) as queries:
            assert upload_ok(as_officer, content).error_count == 0
        stored = [q for q in queries if q["sql"].startswith('INSERT INTO "measures_importrow"')]
        return len(queries) - len(stored), len(stored)

    assert reading(few) == (reading(many)[0], 1)
    assert reading(many)[1] <= 3


def test_each_batch_belongs_to_its_uploader(client, officer, other_officer):
    client.force_login(officer)
    batch = upload_ok(client, csv_bytes([new_row()], NEW_HEADERS))
    client.force_login(other_officer)

    assert client.get(f"/measures/import/{batch.pk}/").status_code == 404
    assert client.post(f"/measures/import/{batch.pk}/confirm/").status_code == 404
    assert not Measure.objects.exists()


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_police_and_others_may_not_see_or_confirm_a_preview(client, officer, role, request):
    client.force_login(officer)
    batch = upload_ok(client, csv_bytes([new_row()], NEW_HEADERS))
    client.force_login(request.getfixturevalue(role))

    for response in (
        client.get(f"/measures/import/{batch.pk}/"),
        client.post(f"/measures/import/{batch.pk}/confirm/"),
        client.get("/measures/import/template.xlsx"),
    ):
        assert response.status_code == 403
        # A user without a role is told so; a police liaison that this is not theirs.
        assert (
            "Du har ingen roll i appen ännu" if role == "outsider" else "Du har inte behörighet här"
        ) in response.content.decode()
    assert not Measure.objects.exists()


def test_the_list_offers_the_import_only_to_those_who_may(client, officer, liaison, measure):
    client.force_login(officer)
    assert 'href="/measures/import/">Importera</a>' in client.get("/measures/").content.decode()
    client.force_login(liaison)
    assert "/measures/import/" not in client.get("/measures/").content.decode()


# --- Confirming


def test_a_second_confirmation_saves_nothing_twice(as_officer):
    batch = upload_ok(as_officer, csv_bytes([new_row()], NEW_HEADERS))
    confirm(as_officer, batch)
    history = Measure.history.count()

    response = confirm(as_officer, batch)

    assert response["Location"] == f"/measures/import/{batch.pk}/"
    assert Measure.objects.count() == 1
    assert Measure.history.count() == history
    content = preview(as_officer, batch)
    assert "Filen är redan importerad. Inget sparades en gång till." in content
    assert "Filen importerades" in content
    assert "Bekräfta importen" not in content


def test_the_claim_on_a_batch_is_made_in_the_database(as_officer):
    """Two confirmations racing (two tabs, a double click) both find the batch
    pending when they read it; the conditional UPDATE lets one through."""
    batch = upload_ok(as_officer, csv_bytes([new_row()], NEW_HEADERS))
    # The other request has claimed the batch after this one read it.
    ImportBatch.objects.filter(pk=batch.pk).update(status="applied")

    from measures import imports

    with pytest.raises(imports.NotPending):
        imports.confirm(batch, by=batch.created_by)
    assert not Measure.objects.exists()


def test_nothing_is_saved_while_any_row_has_an_error(as_officer):
    rows = [new_row(), new_row(Titel="Fel rad", Slutdatum="2028-01-01")]
    batch = upload_ok(as_officer, csv_bytes(rows, NEW_HEADERS))
    assert (batch.new_count, batch.error_count) == (1, 1)
    content = preview(as_officer, batch)
    assert "Bekräfta importen" not in content
    assert "Inget kan importeras så länge någon rad har fel." in content

    response = confirm(as_officer, batch)

    assert response["Location"] == f"/measures/import/{batch.pk}/"
    assert not Measure.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "pending"


def test_a_preview_expires_after_a_day(as_officer):
    batch = upload_ok(as_officer, csv_bytes([new_row()], NEW_HEADERS))
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )

    content = preview(as_officer, batch)
    assert "Förhandsgranskningen har gått ut" in content
    assert "Bekräfta importen" not in content
    confirm(as_officer, batch)
    assert not Measure.objects.exists()
    assert "Förhandsgranskningen har gått ut och inget sparades." in preview(as_officer, batch)

    # The next upload clears away expired previews.
    upload_ok(as_officer, csv_bytes([new_row()], NEW_HEADERS))
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert not ImportRow.objects.filter(batch_id=batch.pk).exists()


def test_a_measure_saved_after_the_export_is_a_conflict_for_its_row(
    as_officer, plan, other_officer
):
    walk = plan[0]
    content = exported(as_officer, "csv")
    Measure.objects.filter(pk=walk.pk).update(
        version=F("version") + 1, title="Ändrad av en kollega", updated_by=other_officer
    )

    batch = upload_ok(as_officer, content)

    kind, errors, _changes = next(
        (kind, errors, changes) for kind, errors, changes in rows_of(batch).values() if errors
    )
    assert kind == "error"
    assert errors[0][0] == "Version"
    assert errors[0][1].startswith(
        "Någon har sparat åtgärden sedan filen exporterades: filen har version 1, "
        "åtgärden är nu version 2 (sparad "
    )
    assert other_officer.get_full_name() in errors[0][1]
    assert batch.error_count == 1
    confirm(as_officer, batch)
    walk.refresh_from_db()
    assert walk.title == "Ändrad av en kollega"


def test_a_change_made_after_the_preview_stops_the_confirmation(as_officer, plan):
    """Confirming checks every row again: a measure saved between the preview
    and the confirmation is not overwritten, and the preview says so."""
    walk = plan[0]

    def change(row):
        if int(row["ID"]) == walk.pk:
            row["Titel"] = "Min ändring"

    batch = upload_ok(as_officer, edit_csv_export(export(as_officer, "csv"), change))
    assert batch.changed_count == 1
    Measure.objects.filter(pk=walk.pk).update(version=F("version") + 1, title="Deras ändring")
    before = state()

    response = confirm(as_officer, batch)

    assert response["Location"] == f"/measures/import/{batch.pk}/"
    assert state() == before
    batch.refresh_from_db()
    assert (batch.status, batch.changed_count, batch.error_count) == ("pending", 0, 1)
    content = preview(as_officer, batch)
    assert "Åtgärder har ändrats sedan förhandsgranskningen gjordes, så inget sparades." in content
    assert "Någon har sparat åtgärden sedan filen exporterades" in content


def test_archived_measures_are_not_changed_by_an_import(as_officer, plan):
    walk = plan[0]
    content = exported(as_officer, "csv", archived="1")
    Measure.objects.filter(pk=walk.pk).update(is_archived=True)

    def change(row):
        if int(row["ID"]) == walk.pk:
            row["Titel"] = "Ny titel"

    unchanged = upload_ok(as_officer, exported(as_officer, "csv", archived="1"))
    assert unchanged.error_count == 0
    del content
    edited = upload_ok(as_officer, edit_csv_export(export(as_officer, "csv", archived="1"), change))
    errors = [errors for _k, errors, _c in rows_of(edited).values() if errors]
    assert errors == [[["ID", "Åtgärden är arkiverad. Återställ den i appen innan du ändrar den."]]]


# --- Files refused whole


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _merged(sheet):
    sheet.merge_cells("B2:B3")


REFUSED = [
    ("empty", "tom.csv", lambda: b"", "Filen är tom."),
    ("empty workbook", "tom.xlsx", lambda: b"", "Filen är tom."),
    (
        "text named .xlsx",
        "plan.xlsx",
        lambda: csv_bytes([new_row()], NEW_HEADERS),
        "Filen heter .xlsx men är ingen Excelarbetsbok.",
    ),
    (
        "a picture named .xlsx",
        "plan.xlsx",
        lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 200,
        "Filen heter .xlsx men är ingen Excelarbetsbok.",
    ),
    (
        "another zip named .xlsx",
        "plan.xlsx",
        lambda: _zip({"readme.txt": b"hej"}),
        "Filen kan inte läsas som en Excelarbetsbok.",
    ),
    (
        "a workbook named .csv",
        "plan.csv",
        lambda: xlsx_bytes([new_row()], NEW_HEADERS),
        "Filen heter .csv men är inte text",
    ),
    (
        "old Excel",
        "plan.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
        "Filen är i det gamla Excelformatet (.xls).",
    ),
    ("a PDF", "plan.pdf", lambda: b"%PDF-1.4", "Välj en CSV-fil (.csv) eller en Excelarbetsbok"),
    (
        "zip bomb, total size",
        "plan.xlsx",
        lambda: _zip({"xl/worksheets/sheet1.xml": b"\0" * (51 * 1024 * 1024)}),
        "Arbetsboken packas upp till långt mer data än en åtgärdsplan behöver (över 50 MB)",
    ),
    (
        "zip bomb, ratio",
        "plan.xlsx",
        lambda: _zip({"xl/sharedStrings.xml": b" " * (5 * 1024 * 1024)}),
        "Arbetsboken packas upp till långt mer data",
    ),
    (
        "UTF-16",
        "plan.csv",
        lambda: csv_bytes([new_row()], NEW_HEADERS, encoding="utf-16"),
        "Filen är sparad som UTF-16-text.",
    ),
    (
        "UTF-16 without a byte order mark",
        "plan.csv",
        lambda: csv_bytes([new_row()], NEW_HEADERS, encoding="utf-16-le"),
        "Filen är inte text i UTF-8 eller Windows-1252.",
    ),
    (
        "binary data named .csv",
        "plan.csv",
        lambda: bytes(range(256)) * 10,
        "Filen är inte text i UTF-8 eller Windows-1252.",
    ),
    (
        "a missing required column",
        "plan.csv",
        lambda: csv_bytes([new_row()], [h for h in NEW_HEADERS if h != "Slutdatum"]),
        "Filen saknar kolumnerna Slutdatum.",
    ),
    (
        "an ID column without versions",
        "plan.csv",
        lambda: csv_bytes([{"ID": "1", **new_row()}], ["ID", *NEW_HEADERS]),
        "Filen saknar kolumnerna Version.",
    ),
    (
        "a column twice",
        "plan.csv",
        lambda: csv_bytes([[*new_row().values(), "x"]], [*NEW_HEADERS, "titel"]),
        "De här kolumnerna finns mer än en gång: titel.",
    ),
    (
        "no header",
        "plan.xlsx",
        lambda: xlsx_bytes([], [None], edit=lambda s: s.append(["x"])),
        "Första raden ska ha kolumnnamnen",
    ),
    (
        "only a header",
        "plan.csv",
        lambda: csv_bytes([], NEW_HEADERS),
        "Filen har inga rader med åtgärder under rubrikraden.",
    ),
    (
        "merged cells",
        "plan.xlsx",
        lambda: xlsx_bytes([new_row(), new_row()], NEW_HEADERS, edit=_merged),
        "Bladet har sammanslagna celler (B2:B3).",
    ),
    (
        "a quotation mark left open",
        "plan.csv",
        lambda: csv_bytes([new_row()], NEW_HEADERS) + b'"' + b"x" * 140_000,
        "Rad 3 i filen kan inte läsas som CSV: ett citattecken kan saknas, eller så är en "
        "cell alldeles för lång.",
    ),
    (
        "5,001 rows",
        "plan.csv",
        lambda: csv_bytes([new_row()] * 5001, NEW_HEADERS),
        "Filen har fler än 5\N{NO-BREAK SPACE}000 rader med åtgärder.",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [pytest.param(name, content, message, id=case) for case, name, content, message in REFUSED],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_message(
    as_officer, plan, name, content, message
):
    before = state()

    response = upload(as_officer, content(), name)

    assert response.status_code == 200
    errors = page_errors(response)
    assert len(errors) == 1
    assert message in errors[0], errors
    page = html.unescape(response.content.decode())
    assert "Formuläret har ett fel" in page
    assert '<a href="#id_file">Fil: ' in page
    assert not ImportBatch.objects.exists()
    assert state() == before


def test_5000_rows_are_taken(as_officer):
    batch = upload_ok(as_officer, csv_bytes([new_row()] * 5000, NEW_HEADERS))
    assert batch.new_count == 5000


def test_a_file_of_5_mb_and_1_byte_is_refused_with_a_message(as_officer):
    content = csv_bytes([new_row()], NEW_HEADERS)
    content += b" " * (5 * 1024 * 1024 + 1 - len(content))

    response = upload(as_officer, content)

    assert response.status_code == 200
    assert page_errors(response) == ["Filen är större än 5 MB. Dela upp den i flera filer."]
    assert not ImportBatch.objects.exists()


def test_a_body_far_beyond_the_limit_is_refused_before_it_is_read(as_officer):
    response = upload(as_officer, b"x" * (10 * 1024 * 1024))
    assert response.status_code == 400
    assert "Begäran kunde inte hanteras" in response.content.decode()


def test_only_the_import_takes_a_body_beyond_the_apps_usual_limit(as_officer, focus_area):
    """The request body limit (2.5 MB) is raised for the import's URL alone."""
    three_mb = b"x" * (3 * 1024 * 1024)
    response = as_officer.post(
        "/measures/new/", {"title": "Stor", "bilaga": SimpleUploadedFile("a.csv", three_mb)}
    )
    assert response.status_code == 400
    response = upload(as_officer, three_mb)
    assert response.status_code == 200
    # Read, and refused with a message about the file rather than its size.
    assert page_errors(response)[0].startswith("Rad 1 i filen kan inte läsas som CSV")


def test_the_upload_needs_a_file(as_officer):
    response = as_officer.post("/measures/import/", {})
    assert page_errors(response) == ["Välj en fil att importera."]


# --- Files read, with notes


def test_unknown_and_read_only_columns_are_ignored_with_a_note(as_officer):
    headers = [*NEW_HEADERS, "Status", "Bedömning", "Anteckningar", "Bedömningstrend"]
    rows = [[*new_row().values(), "Klar", "Röd", "Ring Lisa", "uppåt"]]

    batch = upload_ok(as_officer, csv_bytes(rows, headers))

    assert batch.new_count == 1
    assert batch.notes == [
        "De här kolumnerna från exporten importeras inte och hoppades över: Status, "
        "Bedömning. Status och hur långt åtgärden kommit följer uppföljningarna, och "
        "flaggorna räknar appen ut själv.",
        "De här kolumnerna känner appen inte till, och de hoppades över: Anteckningar, "
        "Bedömningstrend.",
    ]
    content = preview(as_officer, batch)
    assert "Anteckningar, Bedömningstrend" in content
    confirm(as_officer, batch)
    assert Measure.objects.get().status == "planned"


def test_a_workbook_with_several_sheets_is_read_from_its_first_and_says_so(as_officer):
    content = xlsx_bytes([new_row()], NEW_HEADERS, more_sheets=["Anteckningar", "Gammalt"])

    batch = upload_ok(as_officer, content, "plan.xlsx")

    assert batch.new_count == 1
    assert batch.notes == [
        "Arbetsboken har flera blad. Bara det första, ”Åtgärder”, lästes; de här "
        "hoppades över: Anteckningar, Gammalt."
    ]


def test_cells_outside_the_headed_columns_are_ignored_with_a_note(as_officer):
    batch = upload_ok(as_officer, csv_bytes([[*new_row().values(), "", "glömd"]], NEW_HEADERS))
    assert batch.new_count == 1
    assert batch.notes == ["Celler i kolumner utan rubrik hoppades över (kolumn O)."]


# --- Rows with errors


def _error_of(batch, line=2):
    kind, errors, _changes = rows_of(batch)[line]
    assert kind == "error"
    return errors


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"Startdatum": "2025-02-30"},
            [
                "Startdatum",
                "”2025-02-30” är inget datum som appen kan läsa. Skriv datum som "
                "ÅÅÅÅ-MM-DD, till exempel 2025-02-11.",
            ],
            id="no such day",
        ),
        pytest.param(
            {"Slutdatum": "11/02/2025"},
            [
                "Slutdatum",
                "”11/02/2025” är inget datum som appen kan läsa. Skriv datum som "
                "ÅÅÅÅ-MM-DD, till exempel 2025-02-11.",
            ],
            id="another date format",
        ),
        pytest.param(
            {"Startdatum": "2025-02-10"},
            [
                "Startdatum",
                f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}.",
            ],
            id="before the agreement",
        ),
        pytest.param(
            {"Slutdatum": "2028-01-01"},
            ["Slutdatum", f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}."],
            id="after the agreement",
        ),
        pytest.param(
            {"Fokusområde": "Skola", "Slutdatum": "2028-01-01"},
            ["Slutdatum", f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}."],
            id="after the agreement, without a focus area",
        ),
        pytest.param(
            {"Startdatum": "2025-06-01", "Slutdatum": "2025-05-01"},
            ["Slutdatum", "Slutdatumet kan inte ligga före startdatumet."],
            id="end before start",
        ),
        pytest.param(
            {"Fokusområde": "Skolan"},
            [
                "Fokusområde",
                "”Skolan” är inget fokusområde i överenskommelsen. Skriv ett av: Barn och "
                "unga, Offentlig miljö, Hemmiljö, Samhällsnivå.",
            ],
            id="unknown focus area",
        ),
        pytest.param(
            {"Fokusområde": ""},
            [
                "Fokusområde",
                "Skriv fokusområdet, ett av: Barn och unga, Offentlig miljö, Hemmiljö, "
                "Samhällsnivå.",
            ],
            id="no focus area",
        ),
        pytest.param(
            {"Ansvarig part": "Regionen"},
            [
                "Ansvarig part",
                "”Regionen” är inget av alternativen. Skriv ett av: Kommunen, Polisen, Gemensamt.",
            ],
            id="unknown party",
        ),
        pytest.param(
            {"Kommundelar": "Jordbro, Atlantis"},
            ["Kommundelar", "Okända kommundelar: Atlantis."],
            id="unknown district",
        ),
        pytest.param(
            {"Kontaktperson": "Okänd Person"},
            ["Kontaktperson", "Ingen som heter ”Okänd Person” kan vara kontaktperson."],
            id="unknown contact person",
        ),
        pytest.param(
            {"Punktinsats": "kanske"},
            ["Punktinsats", "Skriv Ja eller Nej."],
            id="neither yes nor no",
        ),
        pytest.param(
            {"Titel": ""},
            ["Titel", "Detta fält får inte vara tomt."],
            id="no title",
        ),
        pytest.param(
            {"Titel": "x" * 201},
            ["Titel", "Säkerställ att detta värde har som mest 200 tecken (den har 201)."],
            id="title too long",
        ),
        pytest.param(
            {"Orsak": "Gäller eleven 850709-9805 i åk 8."},
            ["Orsak", "Texten ser ut att innehålla ett personnummer."],
            id="personnummer in a text",
        ),
        pytest.param(
            {"Kontaktperson": "19850709-9805"},
            ["Kontaktperson", "Texten ser ut att innehålla ett personnummer."],
            id="personnummer as contact person",
        ),
    ],
)
def test_each_rule_of_a_measure_applies_to_each_row(as_officer, changes, expected):
    rows = [new_row(), new_row(**changes)]

    batch = upload_ok(as_officer, csv_bytes(rows, NEW_HEADERS))

    column, message = expected
    errors = _error_of(batch, line=3)
    assert any(c == column and m.startswith(message) for c, m in errors), errors
    assert rows_of(batch)[2][0] == "new"
    content = preview(as_officer, batch)
    assert f"<strong>{column}:</strong> {message}" in content
    confirm(as_officer, batch)
    assert not Measure.objects.exists()


def test_a_personnummer_in_any_cell_is_refused_and_never_stored(as_officer):
    headers = [*NEW_HEADERS, "Anteckningar"]
    rows = [[*new_row(Titel="Samtal med 850709-9805").values(), "Ring 19850709-9805"]]

    batch = upload_ok(as_officer, csv_bytes(rows, headers))

    errors = _error_of(batch)
    assert sorted(column for column, _m in errors) == ["Anteckningar", "Titel"]
    assert all(m.startswith("Texten ser ut att innehålla ett personnummer") for _c, m in errors)
    stored = [str(value) for value in ImportRow.objects.values_list("cells", "title", "errors")]
    assert not any("9805" in value for value in stored), stored
    assert "9805" not in preview(as_officer, batch)


def test_a_personnummer_in_a_formula_is_not_stored_either(as_officer):
    def formula(sheet):
        sheet["A2"] = '=CONCAT("Samtal med ", "850709-9805")'
        sheet["N1"] = "Anteckningar"
        sheet["N2"] = '=CONCAT("Ring ", "19850709-9805")'

    batch = upload_ok(as_officer, xlsx_bytes([new_row()], NEW_HEADERS, edit=formula), "p.xlsx")

    assert sorted(column for column, _m in _error_of(batch)) == ["Anteckningar", "Titel"]
    stored = [str(value) for value in ImportRow.objects.values_list("cells", "title", "errors")]
    assert not any("9805" in value for value in stored), stored


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "elev-850709-9805.csv",
            lambda: csv_bytes([new_row()], NEW_HEADERS),
            "Filens namn ser ut att innehålla ett personnummer.",
        ),
        (
            "plan.csv",
            lambda: csv_bytes([[*new_row().values(), "x"]], [*NEW_HEADERS, "850709-9805"]),
            "Ett kolumnnamn på första raden ser ut att innehålla ett personnummer.",
        ),
    ],
)
def test_a_personnummer_in_the_file_name_or_a_heading_refuses_the_file(
    as_officer, name, content, message
):
    response = upload(as_officer, content(), name)
    assert message in page_errors(response)[0]
    assert not ImportBatch.objects.exists()


def test_duplicate_ids_are_errors_on_every_row_that_has_them(as_officer, plan):
    walk = plan[0]

    def duplicate(row):
        row["ID"] = str(walk.pk)
        row["Version"] = "1"

    batch = upload_ok(as_officer, edit_csv_export(export(as_officer, "csv"), duplicate))

    for line in (2, 3, 4):
        assert _error_of(batch, line) == [
            [
                "ID",
                f"Id {walk.pk} finns på flera rader (2, 3, 4). "
                "Varje åtgärd får bara finnas en gång.",
            ]
        ]


@pytest.mark.parametrize(
    ("id_cell", "version_cell", "column", "message"),
    [
        ("999999", "1", "ID", "Ingen åtgärd i överenskommelsen har id 999999."),
        ("tolv", "1", "ID", "”tolv” är inget id."),
        ("99999999999999999999999", "1", "ID", "”99999999999999999999999” är inget id."),
        ("-3", "1", "ID", "”-3” är inget id."),
        ("³", "1", "ID", "”³” är inget id."),
        ("{pk}", "99999999999999999999999", "Version", "”99999999999999999999999” är ingen"),
        ("{pk}", "", "Version", "Skriv åtgärdens version så som exporten anger den"),
        ("{pk}", "två", "Version", "”två” är ingen version."),
    ],
)
def test_ids_and_versions_must_name_a_measure_as_exported(
    as_officer, measure, id_cell, version_cell, column, message
):
    row = {"ID": id_cell.format(pk=measure.pk), "Version": version_cell, **new_row()}
    batch = upload_ok(as_officer, csv_bytes([row], IMPORT_HEADERS))
    errors = _error_of(batch)
    assert any(c == column and m.startswith(message) for c, m in errors), errors


def test_a_formula_cell_is_refused_with_a_message(as_officer):
    def formula(sheet):
        sheet["A2"] = '=CONCATENATE("Natt", "vandring")'

    batch = upload_ok(as_officer, xlsx_bytes([new_row()], NEW_HEADERS, edit=formula), "p.xlsx")

    assert _error_of(batch) == [
        [
            "Titel",
            'Cellen innehåller en formel (=CONCATENATE("Natt", "vandring")). Importen läser '
            "bara värden: ersätt formeln med dess värde.",
        ]
    ]


def test_a_spreadsheet_error_or_an_impossible_date_in_a_cell_is_refused(as_officer):
    def broken(sheet):
        sheet["I2"] = 10**8  # a date format on a number no calendar reaches
        sheet["I2"].number_format = "yyyy-mm-dd"
        sheet["K2"] = "#REF!"
        sheet["K2"].data_type = "e"

    batch = upload_ok(as_officer, xlsx_bytes([new_row()], NEW_HEADERS, edit=broken), "p.xlsx")

    assert _error_of(batch) == [
        ["Startdatum", "Cellen innehåller kalkylbladsfelet #VALUE!. Skriv värdet i stället."],
        ["Orsak", "Cellen innehåller kalkylbladsfelet #REF!. Skriv värdet i stället."],
    ]


def test_two_people_of_the_same_name_must_be_told_apart(as_officer, officer, django_user_model):
    from tests.conftest import _user

    twin = _user(
        django_user_model,
        "Kommunens handläggare",
        first_name=officer.first_name,
        last_name=officer.last_name,
    )
    batch = upload_ok(
        as_officer, csv_bytes([new_row(Kontaktperson=officer.get_full_name())], NEW_HEADERS)
    )
    assert _error_of(batch) == [
        [
            "Kontaktperson",
            f"Flera personer heter ”{officer.get_full_name()}”. Skriv användarnamnet i stället.",
        ]
    ]
    batch = upload_ok(as_officer, csv_bytes([new_row(Kontaktperson=twin.username)], NEW_HEADERS))
    assert batch.new_count == 1


def test_a_contact_person_who_left_their_role_stays_on_an_unchanged_row(
    as_officer, plan, other_officer
):
    other_officer.groups.clear()
    batch = upload_ok(as_officer, exported(as_officer, "csv"))
    assert batch.unchanged_count == 3


# --- The template


def test_the_template_has_the_exports_columns_an_example_and_instructions(as_officer):
    response = as_officer.get("/measures/import/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="atgarder-mall.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Åtgärder", "Instruktioner"]
    sheet = workbook["Åtgärder"]
    headers = [cell.value for cell in sheet[1]]
    from tests.test_exports import HEADERS

    assert headers == HEADERS
    example = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert example["Titel"] == "Nattvandring i centrum"
    assert example["Fokusområde"] == "Barn och unga"
    assert example["ID"] is None
    guide = "\n".join(
        " | ".join(str(v) for v in row if v is not None)
        for row in workbook["Instruktioner"].iter_rows(values_only=True)
    )
    assert (
        "Fokusområde | Obligatorisk | "
        "Ett av: Barn och unga, Offentlig miljö, Hemmiljö, Samhällsnivå." in guide
    )
    assert (
        "Kommundelar | Frivillig | Kommundelar med kommatecken emellan, bland: Brandbergen, Dalarö"
        in guide
    )
    assert (
        "Startdatum | Obligatorisk | Ett datum som ÅÅÅÅ-MM-DD, till exempel 2025-02-11, "
        f"inom överenskommelsens period {PERIOD}." in guide
    )
    assert "Status | Hoppas över | Importeras inte" in guide

    # The template, filled in as it comes, imports as one new measure.
    batch = upload_ok(as_officer, response.content, "atgarder-mall.xlsx")
    assert (batch.new_count, batch.error_count) == (1, 0)
    assert batch.notes[0].startswith("Arbetsboken har flera blad.")


def test_the_import_page_explains_and_links_the_template(as_officer):
    content = html.unescape(as_officer.get("/measures/import/").content.decode())
    assert "<h1>Importera åtgärder</h1>" in content
    assert 'href="/measures/import/template.xlsx">ladda ner mallen</a>' in content
    assert 'enctype="multipart/form-data"' in content
    assert f"Datum som ÅÅÅÅ-MM-DD, inom överenskommelsens period {PERIOD}." in content


def test_focus_areas_of_another_agreement_are_not_offered(as_officer, agreement):
    other = agreement.__class__.objects.create(
        title="Nynäshamn",
        slug="nynashamn-2026",
        municipality="Nynäshamns kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=datetime.date(2024, 1, 1),
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2024, 12, 31),
    )
    FocusArea.objects.create(agreement=other, slug="hamnen", name="Hamnen")
    batch = upload_ok(as_officer, csv_bytes([new_row(Fokusområde="Hamnen")], NEW_HEADERS))
    assert _error_of(batch)[0][1].startswith("”Hamnen” är inget fokusområde i överenskommelsen.")
