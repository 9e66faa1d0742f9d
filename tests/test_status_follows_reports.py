"""The newest report by date decides; the admin keeps the app's promises
(issue 8, points 3, 4 and 5).

A back-dated progress update never moves a measure's status, progress or
assessment past a newer one, in the app or in the admin. The admin's measure
form uses the same optimistic locking as the app. A report is reviewed once;
a review that comes too late gets its text back.
"""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, ProgressUpdate, Review
from tests.html_forms import browser_post_data

# Reports go into open reporting periods: today's is open while the agreement
# runs, and so is the one two days back (a period ended is open 14 more days).
TODAY = timezone.localdate()
EARLIER = TODAY - datetime.timedelta(days=2)


def update_data(**changes):
    values = {
        "reported_on": TODAY.isoformat(),
        "status": Measure.Status.IN_PROGRESS,
        "progress": "40",
        "assessment": ProgressUpdate.Assessment.YELLOW,
        "summary": "Fyra vandringar genomförda.",
        "next_steps": "",
    }
    values.update(changes)
    return values


def text(response):
    return html.unescape(response.content.decode())


# --- Point 5: the newest report by date decides


def test_a_back_dated_report_does_not_override_a_newer_one(client, officer, measure):
    client.force_login(officer)
    url = f"/measures/{measure.pk}/updates/new/"
    client.post(url, update_data(reported_on=TODAY.isoformat(), status="paused", progress="60"))
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PAUSED

    response = client.post(
        url,
        update_data(
            reported_on=EARLIER.isoformat(),
            status="in_progress",
            progress="20",
            assessment="red",
        ),
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PAUSED
    detail = text(client.get(f"/measures/{measure.pk}/"))
    assert "Genomfört" in detail or "%" in detail
    row = (
        Measure.objects.filter(pk=measure.pk)
        .with_latest_update()
        .values("latest_progress", "latest_assessment", "last_reported_on")
        .get()
    )
    assert row == {
        "latest_progress": 60,
        "latest_assessment": "yellow",
        "last_reported_on": TODAY,
    }
    # The form for the next report starts from the newest, not the latest posted.
    form = text(client.get(url))
    assert 'name="progress" value="60"' in form


def test_a_newer_report_still_moves_the_measure(client, officer, measure, make_update):
    make_update(measure, reported_on=datetime.date(2025, 5, 1), status="in_progress")
    client.force_login(officer)

    client.post(
        f"/measures/{measure.pk}/updates/new/",
        update_data(reported_on=TODAY.isoformat(), status="done", progress="100"),
    )

    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE


def test_the_admin_status_is_read_only_and_follows_the_newest_update(
    client, admin, measure, make_update
):
    make_update(measure, reported_on=datetime.date(2025, 9, 1), status="paused")
    client.force_login(admin)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    page = client.get(url).content.decode()
    assert 'name="status"' not in page
    assert "Status följer den senaste uppföljningen." in html.unescape(page)

    data = browser_post_data(page)
    data["title"] = ["Nattvandring, reviderad"]
    data["status"] = ["cancelled"]  # ignored: not a field of the form
    response = client.post(url, data)

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Nattvandring, reviderad"
    assert measure.status == Measure.Status.PAUSED


def test_an_update_added_in_the_admin_moves_the_measure(client, admin, measure):
    client.force_login(admin)
    url = reverse("admin:measures_progressupdate_add")
    response = client.post(
        url,
        {
            "measure": measure.pk,
            "reported_on": TODAY.isoformat(),
            "status": "done",
            "progress": "100",
            "assessment": "green",
            "summary": "Klart.",
            "next_steps": "",
            "reviews-TOTAL_FORMS": "0",
            "reviews-INITIAL_FORMS": "0",
            "reviews-MIN_NUM_FORMS": "0",
            "reviews-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE
    assert ProgressUpdate.objects.get().author == admin


def test_deleting_the_newest_update_in_the_admin_moves_the_measure_back(
    client, admin, measure, make_update
):
    make_update(measure, reported_on=datetime.date(2025, 5, 1), status="in_progress")
    newest = make_update(measure, reported_on=datetime.date(2025, 9, 1), status="done")
    Measure.objects.filter(pk=measure.pk).update(status="done")
    client.force_login(admin)

    response = client.post(
        reverse("admin:measures_progressupdate_delete", args=[newest.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Measure.Status.IN_PROGRESS


# --- Point 3: optimistic locking in the admin


def test_a_stale_admin_form_never_reverts_a_newer_save(client, admin, officer, measure):
    from tests.forms import edit_data

    client.force_login(admin)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    stale = browser_post_data(client.get(url).content.decode())

    # Meanwhile a municipal officer saves a change in the app.
    other = type(client)()
    other.force_login(officer)
    saved = other.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, title="Officerens nya titel")
    )
    assert saved.status_code == 302

    stale["responsible_unit"] = ["Administratörens enhet"]
    response = client.post(url, stale)

    assert response.status_code == 200
    content = text(response)
    assert "Någon sparade åtgärden efter att du öppnade den" in content
    assert 'value="Administratörens enhet"' in content
    measure.refresh_from_db()
    assert measure.title == "Officerens nya titel"
    assert measure.responsible_unit == ""


def test_an_admin_save_raises_the_version_so_an_open_app_form_is_stale(
    client, admin, officer, measure
):
    from tests.forms import edit_data

    opened = edit_data(measure, title="Från appen")
    client.force_login(admin)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = browser_post_data(client.get(url).content.decode())
    data["title"] = ["Från admin"]
    assert client.post(url, data).status_code == 302

    client.force_login(officer)
    response = client.post(f"/measures/{measure.pk}/edit/", opened)

    assert response.status_code == 200
    assert "Sparad version" in text(response)
    measure.refresh_from_db()
    assert measure.title == "Från admin"


# --- Point 5: one review per report, refused or explicit


@pytest.fixture
def as_liaison(client, liaison):
    client.force_login(liaison)
    return client


def test_a_review_that_comes_second_gets_its_text_back(as_liaison, update, django_user_model):
    from django.contrib.auth.models import Group

    first = django_user_model.objects.create_user(
        "liaison2", password="a long enough password 1", first_name="Karin", last_name="Ek"
    )
    first.groups.add(Group.objects.get(name="Polisens kontaktperson"))
    url = f"/updates/{update.pk}/review/"
    assert as_liaison.get(url).status_code == 200
    Review.objects.create(progress_update=update, reviewer=first, verdict="approved")

    response = as_liaison.post(
        url, {"verdict": "needs_changes", "comment": "Beskriv vad som gjorts i Jordbro."}
    )

    assert response.status_code == 200
    content = text(response)
    assert "Karin Ek granskade uppföljningen medan du skrev" in content
    assert "Beskriv vad som gjorts i Jordbro." in content
    assert Review.objects.count() == 1


def test_the_database_keeps_one_review_per_update(update, liaison, admin):
    from django.db import IntegrityError, transaction

    Review.objects.create(progress_update=update, reviewer=liaison, verdict="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(progress_update=update, reviewer=admin, verdict="approved")


def test_an_archived_measures_update_is_not_reviewed(as_liaison, update, measure):
    Measure.objects.filter(pk=measure.pk).update(is_archived=True)
    url = f"/updates/{update.pk}/review/"

    page = text(as_liaison.get(url))
    assert "Åtgärden är arkiverad, så dess uppföljningar granskas inte." in page
    assert 'name="verdict"' not in page

    response = as_liaison.post(url, {"verdict": "approved", "comment": "Bra rapport."})

    assert response.status_code == 200
    assert "Åtgärden arkiverades medan du granskade" in text(response)
    assert "Bra rapport." in text(response)
    assert not Review.objects.exists()


def test_the_review_page_shows_the_goal_and_the_previous_report(as_liaison, measure, make_update):
    make_update(
        measure,
        reported_on=datetime.date(2025, 4, 1),
        summary="Första rapporten om vandringarna.",
        assessment="red",
    )
    latest = make_update(measure, reported_on=datetime.date(2025, 8, 1), summary="Andra.")

    content = text(as_liaison.get(f"/updates/{latest.pk}/review/"))

    assert measure.operational_goal in content
    assert "Föregående uppföljning" in content
    assert "Första rapporten om vandringarna." in content
