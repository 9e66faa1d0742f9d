"""The import and the bulk edit in a real browser, as municipal staff use them."""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from measures.models import Measure

pytestmark = [
    pytest.mark.browser,
    # The live server answers from its own thread, so the data must be
    # committed; the conftest puts back the seeded data after each flush.
    pytest.mark.django_db(transaction=True),
]


def _download(page, link):
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(page, name, content):
    page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
    )
    page.get_by_role("button", name="Läs in filen").click()


def _history(page):
    return page.locator("section", has=page.get_by_role("heading", name="Ändringshistorik"))


def test_officer_edits_two_rows_of_the_export_and_imports_them(
    page, live_server, login, officer, make_measure, jordbro
):
    walk = make_measure(title="Nattvandring i Jordbro centrum", areas=[jordbro])
    light = make_measure(title="Belysning i gångtunneln", end_date=datetime.date(2026, 3, 31))
    make_measure(title="Föräldraträffar i Vega")

    login(officer)
    page.goto("/measures/")
    name, content = _download(page, page.get_by_role("link", name="Excel", exact=True))
    assert name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    column = {header: index for index, header in enumerate(headers)}
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == walk.pk:
            row[column["Titel"]].value = "Nattvandring i Jordbro och Handen"
            row[column["Kommundelar"]].value = "Jordbro, Handen"
        elif row[0].value == light.pk:
            row[column["Slutdatum"]].value = "2026-12-31"

    page.get_by_role("link", name="Importera").click()
    expect(page).to_have_url(f"{live_server.url}/measures/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera åtgärder")
    _upload(page, "atgarder-redigerad.xlsx", _save(workbook))

    expect(page.get_by_role("heading", level=1)).to_have_text("Granska importen")
    stats = page.locator(".stats")
    expect(stats).to_contain_text("2ändrade åtgärder")
    expect(stats).to_contain_text("1oförändrade")
    walk_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=walk.title))
    expect(walk_row).to_contain_text("Ändrad")
    expect(walk_row).to_contain_text("Titel:")
    expect(walk_row).to_contain_text("Nattvandring i Jordbro och Handen")
    expect(walk_row).to_contain_text("Kommundelar:")
    light_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=light.title))
    expect(light_row).to_contain_text(
        re.compile(r"Slutdatum: före 2026-03-31 →\s*efter 2026-12-31")
    )
    # A reload shows the same preview: it is kept on the server.
    page.reload()
    expect(page.locator(".stats")).to_contain_text("2ändrade åtgärder")
    assert Measure.objects.get(pk=walk.pk).title == "Nattvandring i Jordbro centrum"

    page.get_by_role("button", name="Bekräfta importen").click()

    expect(page).to_have_url(f"{live_server.url}/measures/")
    expect(page.get_by_role("status").first).to_contain_text(
        "Filen har importerats: 0 nya och 2 ändrade åtgärder."
    )
    page.get_by_role("link", name="Nattvandring i Jordbro och Handen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nattvandring i Jordbro och Handen")
    expect(page.locator("dl.facts").nth(1)).to_contain_text("Handen, Jordbro")
    history = _history(page)
    title_change = history.get_by_role("row").filter(has_text="Titel")
    expect(title_change).to_contain_text("Nattvandring i Jordbro centrum")
    expect(title_change).to_contain_text("Importerad från filen atgarder-redigerad.xlsx")
    expect(history.get_by_role("row").filter(has_text="Kommundelar")).to_contain_text(
        "Handen, Jordbro"
    )

    page.goto(f"/measures/{light.pk}/")
    expect(page.locator("dl.facts").first).to_contain_text("2026-12-31")
    end_change = _history(page).get_by_role("row").filter(has_text="Slutdatum")
    expect(end_change).to_contain_text("2026-03-31")
    expect(end_change).to_contain_text("Importerad från filen atgarder-redigerad.xlsx")
    assert Measure.objects.get(pk=light.pk).version == 2


def test_officer_fills_in_the_template_and_sees_an_error_before_anything_is_saved(
    page, live_server, login, officer
):
    login(officer)
    page.goto("/measures/import/")
    name, content = _download(page, page.get_by_role("link", name="ladda ner mallen"))
    assert name == "atgarder-mall.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Åtgärder", "Instruktioner"]
    sheet = workbook["Åtgärder"]
    headers = [cell.value for cell in sheet[1]]
    example = [cell.value for cell in sheet[2]]
    second = list(example)
    example[headers.index("Titel")] = "Nattvandring i Brandbergen"
    second[headers.index("Titel")] = "Läxhjälp på biblioteket"
    second[headers.index("Slutdatum")] = "2025-02-30"
    sheet.append(second)

    _upload(page, "plan.xlsx", _save(workbook))

    expect(page.get_by_role("heading", level=1)).to_have_text("Granska importen")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("1 rad har fel")
    expect(page.get_by_role("button", name="Bekräfta importen")).to_have_count(0)
    error_row = page.get_by_role("row").filter(has_text="Läxhjälp på biblioteket")
    expect(error_row.get_by_role("rowheader")).to_have_text("3")
    expect(error_row).to_contain_text("Slutdatum: ”2025-02-30” är inget datum som appen kan läsa.")
    assert not Measure.objects.exists()

    second[headers.index("Slutdatum")] = "2025-12-31"
    sheet.delete_rows(3)
    sheet.append(second)
    page.get_by_role("link", name="Ladda upp den rättade filen").click()
    _upload(page, "plan.xlsx", _save(workbook))
    expect(page.locator(".stats")).to_contain_text("2nya åtgärder")
    page.get_by_role("button", name="Bekräfta importen").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Filen har importerats: 2 nya och 0 ändrade åtgärder."
    )
    page.get_by_role("link", name="Läxhjälp på biblioteket").click()
    created = _history(page).get_by_role("row").filter(has_text="Skapade åtgärden")
    expect(created).to_contain_text("Importerad från filen plan.xlsx")
    assert Measure.objects.count() == 2


def test_bulk_edit_works_without_javascript(
    browser, live_server, officer, other_officer, make_measure
):
    """The bulk edit is a plain form: with scripts off, tick, choose, review, confirm."""
    chosen = [make_measure(title="Alfa nattvandring"), make_measure(title="Bravo belysning")]
    left = make_measure(title="Charlie föräldraträffar")
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Användarnamn").fill(officer.get_username())
        page.get_by_label("Lösenord").fill("a long enough password 1")
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{live_server.url}/measures/")

        for measure in chosen:
            page.get_by_label(f"Välj ”{measure.title}”").check()
        page.locator("summary", has_text="Ändra flera åtgärder").click()  # a <details>: no script
        page.get_by_label("Ändring", exact=True).select_option(label="Byt kontaktperson")
        page.get_by_label("Ny kontaktperson").select_option(label=other_officer.get_full_name())
        page.get_by_role("button", name="Granska ändringen").click()

        expect(page).to_have_url(f"{live_server.url}/measures/bulk/")
        expect(page.get_by_role("heading", name="2 åtgärder ändras")).to_be_visible()
        expect(
            page.get_by_text(f"Kontaktpersonen blir {other_officer.get_full_name()}.")
        ).to_be_visible()
        page.get_by_role("button", name="Spara ändringen av 2 åtgärder").click()

        expect(page).to_have_url(f"{live_server.url}/measures/")
        expect(page.get_by_role("status").first).to_contain_text("2 åtgärder har ändrats.")
    finally:
        context.close()
    for measure in chosen:
        measure.refresh_from_db()
        assert measure.owner == other_officer
        assert measure.history.order_by("-history_id").first().history_change_reason == (
            "Massändring: ny kontaktperson"
        )
    left.refresh_from_db()
    assert left.owner == officer
