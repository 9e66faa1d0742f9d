"""Steering-group meetings and decisions (issue 9, point 4): minutes, decisions
with owner and due date, freezing the period's report with the minutes, and
the meeting's report as a PDF made on the server."""

import datetime
import html
import io

import pytest
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from agreement.models import Agreement, ReportingPeriod
from followup import pdf
from followup.models import Decision, Meeting
from measures.models import DataVersion, Measure, ProgressUpdate
from tests.forms import edit_data

D = datetime.date
TODAY = timezone.localdate()


def text(response):
    return html.unescape(response.content.decode())


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def t1(agreement):
    return ReportingPeriod.objects.get(agreement=agreement, name="T1 2026")


@pytest.fixture
def red_measure(make_measure, make_update):
    measure = make_measure(
        title="Kameraövervakning vid Handenterminalen",
        start_date=D(2026, 1, 10),
        end_date=D(2027, 6, 30),
    )
    make_update(measure, reported_on=D(2026, 3, 1), assessment=ProgressUpdate.Assessment.RED)
    return measure


@pytest.fixture
def meeting(agreement, t1):
    return Meeting.objects.create(
        agreement=agreement,
        period=t1,
        held_on=D(2026, 5, 21),
        title="Styrgrupp: uppföljning av T1 2026",
        participants="Kommundirektör, Haninge kommun",
        notes="1. Rapporterna gicks igenom.",
    )


def meeting_data(period, **changes):
    return {
        "title": "Styrgrupp: uppföljning av T1 2026",
        "held_on": "2026-05-21",
        "period": period.pk,
        "participants": "Kommundirektör, Haninge kommun\nLokalpolisområdeschef",
        "notes": "1. Rapporterna gicks igenom.\n2. Kamerorna vid terminalen försenas.",
        **changes,
    }


# --- Meetings


@pytest.mark.parametrize("who", ["officer", "liaison"])
def test_both_roles_create_and_edit_meetings(client, request, t1, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/meetings/new/").status_code == 200

    response = client.post("/meetings/new/", meeting_data(t1))

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.notes == "1. Rapporterna gicks igenom.\n2. Kamerorna vid terminalen försenas."
    assert meeting.agreement == t1.agreement

    response = client.post(
        f"/meetings/{meeting.pk}/edit/", meeting_data(t1, notes="Justerat protokoll.")
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.notes == "Justerat protokoll."
    page = text(client.get(f"/meetings/{meeting.pk}/"))
    assert "Justerat protokoll." in page
    assert "Utkast" in page


def test_the_new_meeting_form_starts_from_the_period_due_now(client, officer, agreement):
    client.force_login(officer)
    due = agreement.periods.for_reporting(TODAY)
    content = text(client.get("/meetings/new/"))
    assert f'value="Styrgrupp: uppföljning av {due.name}"' in content
    assert f'<option value="{due.pk}" selected>' in content


def test_a_meeting_needs_a_title_and_a_day(client, officer, t1):
    client.force_login(officer)
    response = client.post("/meetings/new/", meeting_data(t1, title="", held_on="igår"))
    assert response.status_code == 200
    content = text(response)
    assert "Detta fält måste fyllas i." in content
    assert "Fyll i ett giltigt datum." in content
    assert not Meeting.objects.exists()


def test_an_outsider_cannot_see_meetings(client, outsider, meeting):
    client.force_login(outsider)
    for path in ["/meetings/", f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/report.pdf"]:
        assert client.get(path).status_code == 403, path


def test_the_meeting_list_shows_each_meeting_with_its_decisions(client, liaison, meeting):
    Decision.objects.create(meeting=meeting, text="Ett öppet beslut.")
    Decision.objects.create(meeting=meeting, text="Ett klart.", status="done", done_on=TODAY)
    client.force_login(liaison)
    content = text(client.get("/meetings/"))
    assert "Styrgrupp: uppföljning av T1 2026" in content
    assert "2 (1 öppna)" in content


# --- Decisions


def decision_data(**changes):
    return {"text": "Socialförvaltningen tar fram en plan.", "owner": "", "due_on": "", **changes}


def test_a_decision_is_added_with_owner_due_date_and_measure(
    client, officer, other_officer, meeting, red_measure
):
    client.force_login(officer)
    response = client.post(
        f"/meetings/{meeting.pk}/decisions/new/",
        decision_data(owner=other_officer.pk, due_on="2026-06-30", measure=red_measure.pk),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.owner, decision.due_on, decision.measure) == (
        other_officer,
        D(2026, 6, 30),
        red_measure,
    )
    assert decision.status == Decision.Status.OPEN


def test_a_decision_due_before_its_meeting_is_refused(client, officer, meeting):
    client.force_login(officer)
    response = client.post(
        f"/meetings/{meeting.pk}/decisions/new/", decision_data(due_on="2026-05-20")
    )
    assert response.status_code == 200
    assert "Beslutet kan inte vara klart senast före mötet, 2026-05-21." in text(response)
    assert not Decision.objects.exists()


def test_a_decision_about_another_agreements_measure_is_refused(
    client, officer, meeting, make_measure, agreement
):
    other = Agreement.objects.create(
        title="Annan",
        slug="annan",
        municipality="Nynäshamns kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=D(2020, 1, 1),
        valid_from=D(2020, 1, 1),
        valid_until=D(2020, 12, 31),
    )
    focus_area = other.focus_areas.create(slug="x", name="X")
    foreign = make_measure(focus_area=focus_area, start_date=D(2020, 2, 1), end_date=D(2020, 3, 1))
    client.force_login(officer)
    response = client.post(
        f"/meetings/{meeting.pk}/decisions/new/", decision_data(measure=foreign.pk)
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ." in text(response)
    assert not Decision.objects.exists()


def test_marking_a_decision_done_dates_it(client, liaison, meeting):
    decision = Decision.objects.create(meeting=meeting, text="Gör det.")
    client.force_login(liaison)
    response = client.post(f"/decisions/{decision.pk}/status/", {"status": "done"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.done_on) == ("done", TODAY)
    client.post(f"/decisions/{decision.pk}/status/", {"status": "open"})
    decision.refresh_from_db()
    assert (decision.status, decision.done_on) == ("open", None)


def test_open_decisions_past_due_show_on_the_overview_and_the_measures_page(
    client, officer, meeting, red_measure
):
    late = Decision.objects.create(
        meeting=meeting,
        text="Polisen redovisar anmälningarna vid terminalen.",
        due_on=TODAY - datetime.timedelta(days=3),
        measure=red_measure,
    )
    Decision.objects.create(
        meeting=meeting, text="Inte försenat ännu.", due_on=TODAY + datetime.timedelta(days=3)
    )
    Decision.objects.create(
        meeting=meeting,
        text="Klart i tid.",
        due_on=TODAY - datetime.timedelta(days=3),
        status="done",
        done_on=TODAY,
    )
    client.force_login(officer)
    overview = text(client.get("/"))
    late_section = overview[overview.index('id="late-decisions-heading"') :]
    late_section = late_section[: late_section.index("</section>")]
    assert late.text in late_section
    assert "Inte försenat ännu." not in late_section
    assert "Klart i tid." not in late_section
    page = text(client.get(f"/measures/{red_measure.pk}/"))
    assert late.text in page
    assert "Försenat" in page


# --- Freezing


def test_freezing_stores_the_periods_report_and_makes_the_minutes_read_only(
    client, officer, meeting, red_measure
):
    client.force_login(officer)
    response = client.post(f"/meetings/{meeting.pk}/freeze/")

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_frozen and meeting.frozen_by == officer
    assert meeting.snapshot["period"]["name"] == "T1 2026"
    assert [row["title"] for row in meeting.snapshot["measures"]] == [red_measure.title]
    assert meeting.snapshot["exceptions"][0]["reasons"] == ["red"]

    # The minutes can no longer be edited.
    edit = client.get(f"/meetings/{meeting.pk}/edit/")
    assert edit.status_code == 302
    response = client.post(
        f"/meetings/{meeting.pk}/edit/", meeting_data(meeting.period, notes="Ändrat i efterhand.")
    )
    assert response.status_code == 200
    content = text(response)
    assert "Protokollet frystes medan du redigerade" in content
    assert "Ändrat i efterhand." in content  # what was typed comes back
    meeting.refresh_from_db()
    assert meeting.notes == "1. Rapporterna gicks igenom."
    # No decision can be added to frozen minutes.
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/", decision_data())
    assert response.status_code == 200
    assert not Decision.objects.exists()


def test_freezing_twice_changes_nothing(client, officer, meeting, red_measure):
    client.force_login(officer)
    client.post(f"/meetings/{meeting.pk}/freeze/")
    meeting.refresh_from_db()
    first = (meeting.frozen_at, meeting.snapshot)
    Measure.objects.filter(pk=red_measure.pk).update(title="Nytt namn")

    response = client.post(f"/meetings/{meeting.pk}/freeze/", follow=True)

    assert "Protokollet var redan fryst. Inget ändrades." in text(response)
    meeting.refresh_from_db()
    assert (meeting.frozen_at, meeting.snapshot) == first


def test_a_frozen_report_stays_as_it_was_when_the_measure_changes(
    client, officer, meeting, red_measure
):
    client.force_login(officer)
    client.post(f"/meetings/{meeting.pk}/freeze/")
    response = client.post(
        f"/measures/{red_measure.pk}/edit/",
        edit_data(red_measure, title="Kameror vid terminalen, ny plan"),
    )
    assert response.status_code == 302

    page = text(client.get(f"/meetings/{meeting.pk}/"))
    frozen = page[page.index('class="frozen-report"') :]
    assert "Kameraövervakning vid Handenterminalen" in frozen
    assert "Kameror vid terminalen, ny plan" not in frozen


def test_a_decisions_status_still_moves_after_freezing(client, liaison, meeting):
    decision = Decision.objects.create(meeting=meeting, text="Gör det.")
    meeting.frozen_at = timezone.now()
    meeting.snapshot = {}
    meeting.save()
    client.force_login(liaison)
    client.post(f"/decisions/{decision.pk}/status/", {"status": "done"})
    decision.refresh_from_db()
    assert decision.status == "done"


# --- The PDF


def test_the_pdf_has_the_agreement_the_period_and_a_red_measure(
    client, officer, meeting, red_measure, agreement
):
    client.force_login(officer)
    response = client.get(f"/meetings/{meeting.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    content = pdf_text(response.content)
    flat = " ".join(content.split())
    assert "Samverkansöverenskommelse mellan Haninge kommun" in flat
    assert "T1 2026" in flat
    assert red_measure.title in flat
    assert "Sida 1 av" in flat


def test_a_frozen_meetings_pdf_is_the_same_byte_for_byte_after_a_measure_changes(
    client, officer, meeting, red_measure
):
    client.force_login(officer)
    client.post(f"/meetings/{meeting.pk}/freeze/")
    before = client.get(f"/meetings/{meeting.pk}/report.pdf").content

    client.post(
        f"/measures/{red_measure.pk}/edit/",
        edit_data(red_measure, title="Kameror vid terminalen, ny plan"),
    )
    officer.first_name = "Nytt"
    officer.save()
    cache.clear()  # made again from the snapshot, not served from the cache
    after = client.get(f"/meetings/{meeting.pk}/report.pdf").content

    assert before == after
    assert "Kameror vid terminalen, ny plan" not in pdf_text(after)


@pytest.fixture
def pdfs_made(monkeypatch):
    """How many PDFs WeasyPrint has made."""
    made = []
    original = pdf._pdf

    def counting(data):
        made.append(1)
        return original(data)

    monkeypatch.setattr(pdf, "_pdf", counting)
    return made


def test_a_frozen_meetings_pdf_is_made_once_and_then_served_as_it_was(
    client, officer, liaison, meeting, red_measure, pdfs_made
):
    client.force_login(officer)
    client.post(f"/meetings/{meeting.pk}/freeze/")
    first = client.get(f"/meetings/{meeting.pk}/report.pdf").content
    client.post(
        f"/measures/{red_measure.pk}/edit/",
        edit_data(red_measure, title="Kameror vid terminalen, ny plan"),
    )
    client.force_login(liaison)
    again = client.get(f"/meetings/{meeting.pk}/report.pdf").content

    assert len(pdfs_made) == 1
    assert again == first


def test_a_draft_meetings_pdf_is_made_for_every_download(
    client, officer, meeting, red_measure, pdfs_made
):
    client.force_login(officer)
    client.get(f"/meetings/{meeting.pk}/report.pdf")
    client.get(f"/meetings/{meeting.pk}/report.pdf")

    assert len(pdfs_made) == 2


def test_a_draft_meetings_pdf_follows_the_measures(client, officer, meeting, red_measure):
    client.force_login(officer)
    client.post(
        f"/measures/{red_measure.pk}/edit/",
        edit_data(red_measure, title="Kameror vid terminalen, ny plan"),
    )
    content = " ".join(pdf_text(client.get(f"/meetings/{meeting.pk}/report.pdf").content).split())
    assert "Kameror vid terminalen, ny plan" in content


def test_a_meeting_of_another_agreement_is_not_found(client, officer):
    other = Agreement.objects.create(
        title="Annan",
        slug="annan",
        municipality="Nynäshamns kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=D(2020, 1, 1),
        valid_from=D(2020, 1, 1),
        valid_until=D(2020, 12, 31),
    )
    foreign = Meeting.objects.create(agreement=other, held_on=D(2020, 5, 1), title="Annan")
    client.force_login(officer)
    for path in [f"/meetings/{foreign.pk}/", f"/meetings/{foreign.pk}/report.pdf"]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/meetings/{foreign.pk}/freeze/").status_code == 404


def test_a_frozen_pdf_kept_for_another_database_is_not_served(
    client, officer, meeting, red_measure, pdfs_made
):
    """A restored backup or a second database sharing the cache has its own
    epoch: a meeting with the same number and moment is made anew."""
    client.force_login(officer)
    client.post(f"/meetings/{meeting.pk}/freeze/")
    client.get(f"/meetings/{meeting.pk}/report.pdf")
    DataVersion.objects.filter(pk=1).update(epoch="another-database")
    client.get(f"/meetings/{meeting.pk}/report.pdf")

    assert len(pdfs_made) == 2
