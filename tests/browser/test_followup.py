"""The steering group's papers in a real browser: the report of a period printed
to A4 from Chromium, and a meeting's PDF downloaded as a user would."""

import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from demo import data as demo
from followup.models import Meeting
from measures.models import Measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_REPORT_PAGES = 4


@pytest.fixture
def demo_data(officer):
    """The demo data `make run` loads: 40 measures, periods, meetings."""
    demo.seed(measures=40)


def test_the_report_of_a_period_prints_on_at_most_four_a4_pages(
    page, login, officer, demo_data, agreement
):
    period = agreement.periods.for_reporting(timezone.localdate())
    login(officer)
    page.goto(f"/report/?period={period.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Uppföljningsrapport {period.name}")
    expect(page.get_by_role("heading", name="Sammanfattning")).to_be_visible()

    pdf = page.pdf(format="A4", print_background=True)

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert 1 <= len(pages) <= MAX_REPORT_PAGES, f"{len(pages)} pages"
    first = " ".join(pages[0].extract_text().split())
    assert "Sammanfattning" in first
    assert "Avvikelser" not in first  # page one is the summary alone
    assert Measure.objects.active().count() == 40


def test_a_meetings_report_downloads_as_a_pdf_with_the_agreement_period_and_a_red_measure(
    page, login, officer, demo_data
):
    # The demo's last meeting, back to a draft with one measure reported red
    # in its period; then frozen in the browser, as the steering group would.
    meeting = Meeting.objects.frozen().get()
    Meeting.objects.filter(pk=meeting.pk).update(frozen_at=None, frozen_by=None, snapshot=None)
    period = meeting.period
    red = Measure.objects.due_in(period).first()
    red.updates.create(
        reported_on=period.ends_on,
        status=Measure.Status.IN_PROGRESS,
        progress=20,
        assessment="red",
        summary="Arbetet har stannat av.",
        author=officer,
    )
    login(officer)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Frys protokollet och rapporten").click()
    expect(page.get_by_text("Protokollet är fryst, med rapporten")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapporten som PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()  # noqa: SIM115 — read once

    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert meeting.agreement.title in text
    assert meeting.period.name in text
    assert red.title in text
