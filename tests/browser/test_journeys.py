"""Whole journeys through the app in a real browser, as the two roles use it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from measures.models import Measure, ProgressUpdate, Review

pytestmark = [
    pytest.mark.browser,
    # The live server answers from its own thread, so the data must be
    # committed; the conftest puts back the seeded data after each flush.
    pytest.mark.django_db(transaction=True),
]

PERIOD = "2025-02-11 – 2027-12-31"


def test_officer_creates_a_measure_and_reports_progress(page, live_server, login, officer):
    login(officer)
    page.get_by_role("link", name="Ny åtgärd").click()
    expect(page).to_have_url(f"{live_server.url}/measures/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny åtgärd")

    page.get_by_label("Fokusområde", exact=True).select_option(label="Barn och unga")
    page.get_by_label("Titel", exact=True).fill("Nattvandring i Handens centrum")
    page.get_by_label("Varför behövs åtgärden?", exact=True).fill(
        "Ungdomar känner sig otrygga kvällstid."
    )
    page.get_by_label("Vad görs, och hur?", exact=True).fill(
        "Vuxna vandrar i centrum fredag och lördag."
    )
    page.get_by_role("radio", name="Social").check()
    page.get_by_label("Vad ska åtgärden uppnå?", exact=True).fill("Fler vuxna ute på helgkvällar.")
    page.get_by_label("Startdatum", exact=True).fill("2025-03-01")
    end_date = page.get_by_label("Slutdatum", exact=True)
    end_date.fill("2028-01-01")  # one day after the agreement ends
    page.get_by_role("radio", name="Kommunen").check()
    page.get_by_label("Kontaktperson").select_option(label=officer.get_full_name())
    page.get_by_role("button", name="Spara åtgärden").click()

    # Back on the form: the error names the period, at the field and in the summary.
    expect(page).to_have_url(f"{live_server.url}/measures/new/")
    message = f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}."
    field_error = page.locator("#id_end_date_error")
    expect(field_error).to_have_text(message)
    expect(end_date).to_have_attribute("aria-invalid", "true")
    expect(end_date).to_have_attribute("aria-describedby", re.compile(r"\bid_end_date_error\b"))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Formuläret har ett fel")
    summary_link = summary.get_by_role("link", name=re.compile("^Slutdatum"))
    expect(summary_link).to_contain_text(PERIOD)
    expect(summary_link).to_have_attribute("href", "#id_end_date")
    # Nothing typed is lost.
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Nattvandring i Handens centrum")
    expect(page.get_by_role("radio", name="Social")).to_be_checked()
    expect(end_date).to_have_value("2028-01-01")
    assert not Measure.objects.exists()

    end_date.fill("2027-12-31")  # the agreement's last day is inside it
    page.get_by_role("button", name="Spara åtgärden").click()

    measure = Measure.objects.get()
    expect(page).to_have_url(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Åtgärden har sparats.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nattvandring i Handens centrum")
    status = page.locator(".page-head .flags .badge").first
    expect(status).to_have_text("Planerad")
    assert (measure.end_date, measure.status) == (datetime.date(2027, 12, 31), "planned")
    assert measure.created_by == measure.owner == officer

    page.get_by_role("link", name="Rapportera uppföljning").click()
    expect(page).to_have_url(f"{live_server.url}/measures/{measure.pk}/updates/new/")
    page.get_by_label("Status", exact=True).select_option(label="Pågår")
    page.get_by_label("Genomfört (%)", exact=True).fill("40")
    page.get_by_role("radio", name="Risk för avvikelse").check()
    page.get_by_label("Sammanfattning", exact=True).fill(
        "Sex vandringar genomförda, svårt att få vuxna till lördagarna."
    )
    page.get_by_role("button", name="Spara uppföljningen").click()

    expect(page).to_have_url(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Uppföljningen har sparats.")
    expect(status).to_have_text("Pågår")
    updates = page.locator("section", has=page.get_by_role("heading", name="Uppföljningar"))
    entry = updates.get_by_role("listitem")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Sex vandringar genomförda")
    expect(entry).to_contain_text("Risk för avvikelse")
    expect(entry).to_contain_text("40 % genomfört")
    expect(entry).to_contain_text("Inte granskad ännu.")
    measure.refresh_from_db()
    assert measure.status == Measure.Status.IN_PROGRESS
    update = ProgressUpdate.objects.get()
    assert (update.progress, update.assessment, update.author) == (40, "yellow", officer)


def test_liaison_approves_a_progress_update(
    page, live_server, login, liaison, make_measure, make_update
):
    measure = make_measure(title="Trygghetsvandring i Jordbro")
    other = make_measure(title="Ljus i gångtunneln")
    update = make_update(measure, summary="Tolv vandringar genomförda.")
    make_update(other)  # stays in the queue

    login(liaison)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning").click()
    expect(page).to_have_url(f"{live_server.url}/reviews/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=measure.title))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile("^Granska")).click()

    expect(page).to_have_url(f"{live_server.url}/updates/{update.pk}/review/")
    expect(page.get_by_text("Tolv vandringar genomförda.")).to_be_visible()
    page.get_by_role("radio", name="Godkänd").check()
    page.get_by_label("Kommentar").fill("Bra uppföljning, fortsätt så.")
    page.get_by_role("button", name="Spara granskningen", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/reviews/")
    expect(page.get_by_role("status").first).to_contain_text("Uppföljningen har godkänts.")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text=measure.title)).to_have_count(0)
    expect(rows.filter(has_text=other.title)).to_have_count(1)
    review = Review.objects.get()
    assert (review.progress_update, review.reviewer, review.verdict) == (
        update,
        liaison,
        "approved",
    )

    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    entry = page.locator(".updates > li")
    expect(entry).to_have_count(1)
    verdict = entry.locator(".review")
    expect(verdict.locator(".badge")).to_have_text("Godkänd")
    expect(verdict).to_contain_text("Bra uppföljning, fortsätt så.")
    expect(entry).not_to_contain_text("Inte granskad ännu.")
