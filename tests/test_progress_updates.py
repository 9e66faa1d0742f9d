"""/measures/<id>/updates/new/: reporting progress, which also moves the measure's status."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from measures.models import Measure, ProgressUpdate

FORBIDDEN_TEXT = "Du har inte behörighet här"


def data(**changes):
    values = {
        "reported_on": timezone.localdate().isoformat(),
        "status": Measure.Status.IN_PROGRESS,
        "progress": "40",
        "assessment": ProgressUpdate.Assessment.YELLOW,
        "summary": "Fyra vandringar genomförda, färre vuxna än planerat.",
        "next_steps": "Rekrytera fler vuxna via föreningarna.",
    }
    values.update(changes)
    return values


def url(measure):
    return f"/measures/{measure.pk}/updates/new/"


def field_error(response, name):
    content = response.content.decode()
    match = re.search(rf'<p class="field__error" id="id_{name}_error">([^<]*)</p>', content)
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def test_posting_an_update_saves_it_and_moves_the_measure_in_one_go(as_officer, measure, officer):
    assert measure.status == Measure.Status.PLANNED

    response = as_officer.post(url(measure), data(status="done", progress="100"))

    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    update = ProgressUpdate.objects.get()
    assert update.measure == measure
    assert update.author == officer
    assert update.reported_on == timezone.localdate()
    assert update.status == Measure.Status.DONE
    assert update.progress == 100
    assert update.assessment == ProgressUpdate.Assessment.YELLOW
    assert update.next_steps == "Rekrytera fler vuxna via föreningarna."
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert measure.updated_by == officer
    assert measure.history.latest().history_user == officer

    content = html.unescape(as_officer.get(response["Location"]).content.decode())
    assert "Uppföljningen har sparats." in content
    assert '<span class="badge badge--done">Klar</span>' in content
    assert "Fyra vandringar genomförda, färre vuxna än planerat." in content


def test_an_update_with_the_same_status_leaves_the_measure_alone(
    as_officer, make_measure, other_officer
):
    measure = make_measure(status=Measure.Status.IN_PROGRESS, updated_by=other_officer)
    history = measure.history.count()

    response = as_officer.post(url(measure), data(status="in_progress"))

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.updated_by == other_officer
    assert measure.history.count() == history


@pytest.mark.parametrize(
    ("progress", "message"),
    [
        pytest.param("101", "Ange hur långt åtgärden har kommit i procent, 0–100.", id="101"),
        pytest.param("-1", "Ange hur långt åtgärden har kommit i procent, 0–100.", id="-1"),
        pytest.param("halvvägs", "Fyll i ett heltal.", id="words"),
        pytest.param("", "Ange hur långt åtgärden har kommit, 0–100 %.", id="empty"),
    ],
)
def test_progress_outside_0_to_100_is_refused_next_to_the_field(
    as_officer, measure, progress, message
):
    response = as_officer.post(url(measure), data(progress=progress, status="done"))

    assert response.status_code == 200
    assert field_error(response, "progress").startswith(message)
    content = response.content.decode()
    assert 'aria-describedby="id_progress_error id_progress_helptext"' in content
    assert '<a href="#id_progress">' in content
    assert not ProgressUpdate.objects.exists()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


@pytest.mark.parametrize("progress", ["0", "100"])
def test_progress_on_the_edges_is_accepted(as_officer, measure, progress):
    response = as_officer.post(url(measure), data(progress=progress))

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().progress == int(progress)


def test_a_report_date_in_the_future_is_refused(as_officer, measure):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = as_officer.post(url(measure), data(reported_on=tomorrow.isoformat()))

    assert response.status_code == 200
    assert field_error(response, "reported_on") == "Rapportdatumet kan inte ligga i framtiden."
    assert not ProgressUpdate.objects.exists()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


def test_a_report_dated_today_is_accepted(as_officer, measure):
    today = timezone.localdate()

    response = as_officer.post(url(measure), data(reported_on=today.isoformat()))

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().reported_on == today


def test_the_summary_is_required_and_refuses_a_personnummer(as_officer, measure):
    empty = as_officer.post(url(measure), data(summary=""))
    named = as_officer.post(url(measure), data(summary="Samtal med 070101-1234 om skolan."))

    assert field_error(empty, "summary") == "Skriv vad som har gjorts."
    assert field_error(named, "summary").startswith("Texten ser ut att innehålla ett personnummer.")
    assert not ProgressUpdate.objects.exists()


def test_police_cannot_report_on_a_municipal_measure(client, measure, liaison):
    client.force_login(liaison)

    assert client.get(url(measure)).status_code == 403
    response = client.post(url(measure), data(status="done"))

    # Refused, but what was typed comes back: the party may have changed
    # while the liaison was writing.
    assert response.status_code == 403
    content = html.unescape(response.content.decode())
    assert "Du kan inte längre rapportera på den här åtgärden" in content
    assert "Fyra vandringar genomförda, färre vuxna än planerat." in content
    assert not ProgressUpdate.objects.exists()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


@pytest.mark.parametrize("party", [Measure.Party.POLIS, Measure.Party.GEMENSAM])
def test_police_report_on_police_and_joint_measures(client, make_measure, liaison, party):
    measure = make_measure(responsible_party=party)
    client.force_login(liaison)

    assert client.get(url(measure)).status_code == 200
    response = client.post(url(measure), data())

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == liaison
    measure.refresh_from_db()
    assert measure.status == Measure.Status.IN_PROGRESS


def test_the_form_starts_a_planned_measure_as_in_progress_dated_today(as_officer, measure):
    response = as_officer.get(url(measure))

    content = response.content.decode()
    assert "<h1>Rapportera uppföljning</h1>" in content
    assert '<option value="in_progress" selected>Pågår</option>' in content
    assert f'name="reported_on" value="{timezone.localdate().isoformat()}"' in content
    progress = re.search(r'<input type="number" name="progress"[^>]*>', content).group(0)
    assert "value=" not in progress


def test_the_form_starts_from_the_measures_status_and_latest_progress(
    as_officer, make_measure, make_update
):
    measure = make_measure(status=Measure.Status.PAUSED)
    make_update(measure, reported_on=datetime.date(2025, 5, 1), progress=20, status="paused")
    make_update(measure, reported_on=datetime.date(2025, 8, 1), progress=55, status="paused")
    make_update(measure, reported_on=datetime.date(2025, 6, 1), progress=35, status="paused")

    content = as_officer.get(url(measure)).content.decode()

    assert '<option value="paused" selected>Pausad</option>' in content
    assert '<input type="number" name="progress" value="55"' in content


def test_an_archived_measure_takes_no_updates(as_officer, make_measure):
    measure = make_measure(is_archived=True)

    response = as_officer.get(url(measure))

    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    content = as_officer.get(response["Location"]).content.decode()
    assert "Arkiverade åtgärder kan inte följas upp." in content


def test_a_report_on_a_measure_archived_meanwhile_comes_back_with_the_text(as_officer, measure):
    form = as_officer.get(url(measure))
    assert form.status_code == 200
    Measure.objects.filter(pk=measure.pk).update(is_archived=True)

    response = as_officer.post(url(measure), data())

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Åtgärden arkiverades medan du skrev" in content
    assert "Fyra vandringar genomförda, färre vuxna än planerat." in content
    assert "Rekrytera fler vuxna via föreningarna." in content
    assert not ProgressUpdate.objects.exists()
