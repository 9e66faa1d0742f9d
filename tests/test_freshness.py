"""Cached pages show every write on the very next request (issue 11, point 2).

The overview, the agreement, the focus areas and the districts keep their
rendered body in the cache, keyed by a data version that every write moves
(measures.freshness). Each test here fills the cache, writes the way a user
or an administrator does, and asks again.
"""

import datetime
import html

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agreement.models import FocusArea
from followup.models import Decision, Meeting
from measures import freshness
from measures.freshness import data_version
from measures.models import Measure
from tests.forms import edit_data, new_data
from tests.html_forms import browser_post_data

TODAY = timezone.localdate()


def text(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def seen(client):
    """Ask for a page twice, so that its body is in the cache, and return it."""

    def look(path):
        text(client.get(path))
        return text(client.get(path))

    return look


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def test_a_page_asked_for_again_comes_from_the_cache(as_officer, measure, seen):
    version = data_version()
    seen(f"/focus-areas/{measure.focus_area.slug}/")
    keys = [key for key in cache._cache if ":page:focusarea:" in key]  # locmem's store
    assert keys and all(version in key for key in keys)


def test_a_new_measure_shows_at_once(as_officer, focus_area, seen):
    assert "Trygghetsvandring i Handen" not in seen(f"/focus-areas/{focus_area.slug}/")
    as_officer.post("/measures/new/", new_data(focus_area))
    assert "Trygghetsvandring i Handen" in text(as_officer.get(f"/focus-areas/{focus_area.slug}/"))


def test_an_edited_title_shows_at_once(as_officer, measure, seen):
    path = f"/focus-areas/{measure.focus_area.slug}/"
    assert measure.title in seen(path)
    as_officer.post(f"/measures/{measure.pk}/edit/", edit_data(measure, title="Ny titel"))
    content = text(as_officer.get(path))
    assert "Ny titel" in content
    assert measure.title not in content


def test_an_archived_measure_leaves_at_once(as_officer, measure, seen):
    path = f"/focus-areas/{measure.focus_area.slug}/"
    assert measure.title in seen(path)
    as_officer.post(f"/measures/{measure.pk}/archive/", {"archive": "1"})
    assert measure.title not in text(as_officer.get(path))


def test_a_progress_update_shows_at_once_on_the_overview(as_officer, measure, seen):
    assert "Tre helger i rad" not in seen("/")
    as_officer.post(
        f"/measures/{measure.pk}/updates/new/",
        {
            "reported_on": TODAY.isoformat(),
            "status": "in_progress",
            "progress": "30",
            "assessment": "red",
            "summary": "Tre helger i rad inställda.",
        },
    )
    content = text(as_officer.get("/"))
    assert "Tre helger i rad inställda." in content


def test_a_review_shows_at_once_in_the_liaisons_count(client, liaison, update, seen):
    client.force_login(liaison)
    assert "1 uppföljning väntar på din granskning." in seen("/")
    client.post(f"/updates/{update.pk}/review/", {"verdict": "approved"})
    assert "0 uppföljningar väntar på din granskning." in text(client.get("/"))


def test_a_focus_area_renamed_in_the_admin_shows_at_once(client, admin, focus_area, seen):
    client.force_login(admin)
    assert "Barn och unga" in seen("/agreement/")
    url = reverse("admin:agreement_focusarea_change", args=[focus_area.pk])
    data = browser_post_data(client.get(url).content.decode())
    data["name"] = ["Barn, unga och skola"]
    assert client.post(url, data).status_code == 302
    assert "Barn, unga och skola" in text(client.get("/agreement/"))


def test_a_district_renamed_in_the_admin_shows_at_once(client, admin, jordbro, seen):
    client.force_login(admin)
    assert "Jordbro" in seen("/agreement/")
    url = reverse("admin:agreement_area_change", args=[jordbro.pk])
    data = browser_post_data(client.get(url).content.decode())
    data["name"] = ["Jordbro centrum"]
    assert client.post(url, data).status_code == 302
    assert "Jordbro centrum" in text(client.get("/agreement/"))


def test_a_person_deactivated_in_the_admin_shows_at_once(
    client, admin, make_measure, other_officer, seen
):
    make_measure(
        title="Kollegans åtgärd",
        owner=other_officer,
        status=Measure.Status.IN_PROGRESS,
        start_date=TODAY - datetime.timedelta(days=5),
        end_date=TODAY + datetime.timedelta(days=100),
    )
    client.force_login(admin)
    before = seen("/")
    attention = before[before.index('id="attention-heading"') :]
    assert "Kollegans åtgärd" not in attention
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [other_officer.pk]},
    )
    after = text(client.get("/"))
    attention = after[after.index('id="attention-heading"') :]
    assert "Kollegans åtgärd" in attention
    assert "Saknar kontaktperson" in attention


def test_a_renamed_person_shows_at_once(client, admin, make_measure, make_update, officer, seen):
    measure = make_measure(title="Röd åtgärd", owner=officer)
    make_update(measure, reported_on=TODAY, assessment="red")
    client.force_login(admin)
    assert officer.get_full_name() in seen("/")
    officer.first_name = "Åsa"
    officer.save()
    assert "Åsa" in text(client.get("/"))


def test_a_late_decision_and_its_status_show_at_once(as_officer, agreement, seen):
    assert "Bemanna fritidsgården." not in seen("/")
    meeting = Meeting.objects.create(agreement=agreement, held_on=TODAY, title="Styrgrupp")
    decision = Decision.objects.create(meeting=meeting, text="Bemanna fritidsgården.", due_on=TODAY)
    Decision.objects.filter(pk=decision.pk).update(due_on=TODAY - datetime.timedelta(days=1))
    # An update() sends no signal; the decision's own save above moved the
    # version, and the next save moves it again.
    decision.refresh_from_db()
    decision.save()
    assert "Bemanna fritidsgården." in text(as_officer.get("/"))
    as_officer.post(f"/decisions/{decision.pk}/status/", {"status": "done"})
    content = text(as_officer.get("/"))
    assert "Bemanna fritidsgården." not in content


def test_a_reopened_period_shows_at_once(client, admin, agreement, seen):
    client.force_login(admin)
    period = agreement.periods.filter(deadline__lt=TODAY).order_by("-deadline").first()
    seen("/")
    client.post(
        f"/periods/{period.pk}/reopen/",
        {
            "reopened_until": (TODAY + datetime.timedelta(days=5)).isoformat(),
            "reopen_reason": "Sena rapporter.",
        },
    )
    assert f"Rapportering för {period.name}" in text(client.get("/"))


def test_an_update_deleted_in_the_admin_shows_at_once(client, admin, measure, make_update, seen):
    update = make_update(measure, reported_on=TODAY, summary="Ska bort.")
    client.force_login(admin)
    assert "Ska bort." in seen("/")
    client.post(reverse("admin:measures_progressupdate_delete", args=[update.pk]), {"post": "yes"})
    assert "Ska bort." not in text(client.get("/"))


def test_the_demo_data_shows_at_once(as_officer, seen, officer):
    from demo import data as demo

    assert "Sociala insatsgrupper" not in seen(
        f"/focus-areas/{FocusArea.objects.get(slug='barn-och-unga').slug}/"
    )
    demo.seed(measures=5)
    assert "Sociala insatsgrupper" in text(as_officer.get("/focus-areas/barn-och-unga/"))


def test_a_cache_that_does_not_answer_only_costs_time(as_officer, measure, monkeypatch):
    """django-redis is told to ignore a Redis that is down; a cache that
    raises anyway still leaves every page as it should be."""

    class Broken:
        def get(self, *args, **kwargs):
            raise ConnectionError("the cache is down")

        set = get

    monkeypatch.setattr(freshness, "cache", Broken())
    assert measure.title in text(as_officer.get(f"/focus-areas/{measure.focus_area.slug}/"))
    assert "Läget för åtgärderna" in text(as_officer.get("/"))
    assert "Barn och unga" in text(as_officer.get("/agreement/"))
    assert "Jordbro" in text(as_officer.get("/areas/jordbro/"))


def test_an_import_shows_at_once(as_officer, seen):
    from tests.importing import csv_bytes, new_row, upload_ok

    path = "/focus-areas/offentlig-miljo/"
    assert "Trygghetsvandring i Vega" not in seen(path)
    batch = upload_ok(as_officer, csv_bytes([new_row()]))
    assert "Trygghetsvandring i Vega" not in text(as_officer.get(path))  # only a preview yet
    response = as_officer.post(f"/measures/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    assert "Trygghetsvandring i Vega" in text(as_officer.get(path))


def test_a_bulk_edit_shows_at_once(as_officer, make_measure, seen):
    import re

    measures = [make_measure(title=f"Skolgårdsvandring {n}") for n in (1, 2)]
    path = f"/focus-areas/{measures[0].focus_area.slug}/"
    assert "Skolgårdsvandring 1" in seen(path)
    data = {"ids": [m.pk for m in measures], "action": "archive"}
    review = text(as_officer.post("/measures/bulk/", data))
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', review)[1]
    as_officer.post("/measures/bulk/", {**data, "fingerprint": fingerprint, "confirm": "1"})
    assert Measure.objects.filter(is_archived=True).count() == 2
    assert "Skolgårdsvandring 1" not in text(as_officer.get(path))


def test_an_import_moves_the_version_once_however_many_rows(as_officer, monkeypatch):
    from tests.importing import csv_bytes, new_row, upload_ok

    batch = upload_ok(
        as_officer, csv_bytes([new_row(Titel=f"Trygghetsvandring {n}") for n in range(30)])
    )
    moves = []
    real = freshness.data_changed
    monkeypatch.setattr(freshness, "data_changed", lambda: moves.append(1) or real())
    as_officer.post(f"/measures/import/{batch.pk}/confirm/")
    assert Measure.objects.filter(title__startswith="Trygghetsvandring").count() == 30
    assert len(moves) == 1


def test_a_progress_update_shows_at_once_in_the_report_and_the_periods_count(
    as_officer, agreement, make_measure, seen
):
    measure = make_measure(end_date=datetime.date(2027, 6, 30))
    period = agreement.periods.containing(TODAY)
    report = f"/report/?period={period.pk}&detail=1"
    assert "Grannar hörde av sig" not in seen(report)
    assert "0 av 1" in seen("/periods/")
    response = as_officer.post(
        f"/measures/{measure.pk}/updates/new/",
        {
            "reported_on": TODAY.isoformat(),
            "status": "in_progress",
            "progress": "40",
            "assessment": "red",
            "summary": "Grannar hörde av sig.",
        },
    )
    assert response.status_code == 302
    assert "Grannar hörde av sig" in text(as_officer.get(report))
    assert "1 av 1" in text(as_officer.get("/periods/"))


def test_the_user_is_read_with_the_data_version_of_the_models_own_table():
    from measures import backends
    from measures.models import DataVersion

    table = DataVersion._meta.db_table
    assert f"FROM {table} WHERE" in backends.VERSION_EPOCH
    assert f"FROM {table} WHERE" in backends.VERSION_NUMBER


def test_an_entry_read_once_is_served_from_the_process_memory(as_officer, measure, monkeypatch):
    """A versioned entry never changes, so the process keeps it; a write moves
    the version and the next request reads anew."""
    path = f"/focus-areas/{measure.focus_area.slug}/"
    text(as_officer.get(path))
    asked = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **k: asked.append(key) or real_get(key, *a, **k)
    )
    text(as_officer.get(path))
    assert not [key for key in asked if ":page:" in key]
    as_officer.post(f"/measures/{measure.pk}/edit/", edit_data(measure, title="Ny titel"))
    assert "Ny titel" in text(as_officer.get(path))


def test_a_new_indicator_value_shows_at_once_on_the_indicators_pages(as_officer, indicator, seen):
    assert "27,5" not in seen(f"/indicators/{indicator.pk}/")
    seen("/indicators/")
    response = as_officer.post(
        f"/indicators/{indicator.pk}/values/new/",
        {"measured_on": TODAY.isoformat(), "value": "27,5", "comment": "Hösten."},
    )
    assert response.status_code == 302
    assert "27,5" in text(as_officer.get(f"/indicators/{indicator.pk}/"))
    assert "27,5" in text(as_officer.get("/indicators/"))


def test_a_measure_linked_to_a_problem_and_a_promise_shows_at_once(
    as_officer, measure, problem, promise, seen
):
    assert measure.title not in seen("/situation/")
    assert measure.title not in seen("/promises/")
    data = browser_post_data(as_officer.get(f"/measures/{measure.pk}/edit/").content.decode())
    data["problems"] = [str(problem.pk)]
    data["promises"] = [str(promise.pk)]
    assert as_officer.post(f"/measures/{measure.pk}/edit/", data).status_code == 302
    assert measure.title in text(as_officer.get("/situation/"))
    assert measure.title in text(as_officer.get("/promises/"))
    assert measure.title in text(as_officer.get(f"/promises/{promise.pk}/"))


def test_the_process_memory_keeps_the_newest_entries_within_its_bounds():
    by_count = freshness._Memory(entries=3, size=10_000)
    for n in range(4):
        by_count.put(f"k{n}", {"body": "x" * 100, "title": ""})
    assert by_count.get("k0") is None  # the oldest went first
    assert by_count.get("k3")["body"] == "x" * 100
    by_count.get("k1")  # read again: now the newest
    by_count.put("k4", "y")
    assert by_count.get("k1") is not None and by_count.get("k2") is None

    by_size = freshness._Memory(entries=100, size=10_000)
    for n in range(5):
        by_size.put(f"k{n}", "x" * 2_400)
    assert by_size.get("k0") is None and by_size.get("k4") is not None
    assert by_size.held == 4 * 2_400
    by_size.put("big", "w" * 3_000)  # over a quarter of the whole: not kept
    assert by_size.get("big") is None


def test_no_cached_body_holds_a_csrf_token(
    client, officer, liaison, agreement, measure, make_update, problem, promise, indicator
):
    """A cached body is shared between requests: a form with a CSRF token in
    it would serve a token that a new login has made stale. Every cached page
    is asked for by both roles, with a late decision and a frozen meeting,
    and no kept body holds a token."""
    make_update(measure, reported_on=TODAY)
    period = agreement.periods.containing(TODAY)
    meeting = Meeting.objects.create(
        agreement=agreement, period=period, held_on=TODAY, title="Möte"
    )
    Decision.objects.create(
        meeting=meeting,
        text="Ta fram en plan.",
        owner=officer,
        due_on=TODAY - datetime.timedelta(days=1),
        measure=measure,
    )
    client.force_login(officer)
    assert client.post(f"/meetings/{meeting.pk}/freeze/").status_code == 302
    slug = measure.focus_area.slug
    paths = [
        "/",
        "/agreement/",
        f"/focus-areas/{slug}/",
        f"/focus-areas/{slug}/timeline/",
        "/areas/jordbro/",
        f"/report/?period={period.pk}",
        f"/periods/{period.pk}/",
        f"/meetings/{meeting.pk}/",
        "/situation/",
        "/indicators/",
        f"/indicators/{indicator.pk}/",
        "/promises/",
        f"/promises/{promise.pk}/",
    ]
    for user, extra in ((officer, []), (liaison, ["/reviews/"])):
        client.force_login(user)
        for path in paths + extra:
            assert client.get(path).status_code == 200, path
    kept = {key: value for key, value in cache._cache.items() if ":page:" in key}
    names = {key.split(":page:")[1].split(":")[0] for key in kept}
    assert {"overview", "report", "worklist", "meeting-report", "reviews", "promise"} <= names
    for key, value in kept.items():
        assert b"csrfmiddlewaretoken" not in value, key
