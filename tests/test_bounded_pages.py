"""Pages whose lists grow with the data show them a page at a time, so that
a page costs the same at 50 measures as at 5,000 (issue 11): the report's
exceptions, a frozen meeting's report, a large focus area's timeline, and
the review queue and the worklist, which are kept in the cache for each
user and show a write on the very next request."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from agreement.models import FocusArea
from followup import report
from followup.models import Meeting
from measures import dashboard
from measures.models import Review
from tests.query_counts import made_anew_and_again

TODAY = timezone.localdate()


def text(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def section(content, heading_id):
    start = content.index(f'id="{heading_id}"')
    return content[start : content.index("</section>", start)]


def rows(part):
    """The measure links in a part of a page."""
    return re.findall(r'<a href="/measures/(\d+)/">', part)


@pytest.fixture
def red_measures(make_measure, make_update):
    """Three running measures, each assessed red in the period of today."""
    measures = []
    for title in ("Alfa", "Beta", "Gamma"):
        measure = make_measure(title=f"Trygghet {title}", end_date=datetime.date(2027, 6, 30))
        make_update(measure, reported_on=TODAY, assessment="red")
        measures.append(measure)
    return measures


def test_the_reports_exceptions_come_a_page_at_a_time(
    client, officer, agreement, red_measures, monkeypatch
):
    monkeypatch.setattr(report, "EXCEPTIONS_PER_PAGE", 2)
    client.force_login(officer)
    period = agreement.periods.containing(TODAY)
    first = text(client.get("/report/", {"period": period.pk}))
    exceptions = section(first, "exceptions-heading")
    assert 'Avvikelser <span class="muted">(3)</span>' in exceptions
    assert len(rows(exceptions)) == 2
    assert f"?period={period.pk}&exceptions_page=2" in exceptions
    second = section(
        text(client.get("/report/", {"period": period.pk, "exceptions_page": 2})),
        "exceptions-heading",
    )
    shown = rows(exceptions) + rows(second)
    assert sorted(shown) == sorted(str(m.pk) for m in red_measures)


def test_a_frozen_meetings_report_shows_its_lists_a_page_at_a_time(
    client, officer, agreement, red_measures, monkeypatch
):
    monkeypatch.setattr(report, "EXCEPTIONS_PER_PAGE", 2)
    monkeypatch.setattr(report, "MEASURES_PER_PAGE", 2)
    period = agreement.periods.containing(TODAY)
    meeting = Meeting.objects.create(
        agreement=agreement, period=period, held_on=TODAY, title="Möte"
    )
    client.force_login(officer)
    assert client.post(f"/meetings/{meeting.pk}/freeze/").status_code == 302
    first = text(client.get(f"/meetings/{meeting.pk}/"))
    assert len(rows(section(first, "exceptions-heading"))) == 2
    assert "?exceptions_page=2" in first and "?page=2" in first
    second = text(client.get(f"/meetings/{meeting.pk}/", {"exceptions_page": 2, "page": 2}))
    assert len(rows(section(second, "exceptions-heading"))) == 1
    # The PDF keeps the whole report: all three measures.
    assert len(Meeting.objects.get(pk=meeting.pk).snapshot["exceptions"]) == 3


@pytest.mark.parametrize("kind", ["focus_area", "area"])
def test_a_timeline_too_long_for_the_page_has_a_page_of_its_own(
    client, officer, focus_area, jordbro, make_measure, monkeypatch, kind
):
    monkeypatch.setattr(dashboard, "TIMELINE_ROWS", 2)
    measures = [make_measure(title=f"Åtgärd {i}", areas=[jordbro]) for i in range(3)]
    make_measure(
        title="Annat fokusområde", focus_area=FocusArea.objects.exclude(pk=focus_area.pk)[0]
    )
    page = f"/focus-areas/{focus_area.slug}/" if kind == "focus_area" else "/areas/jordbro/"
    client.force_login(officer)
    content = text(client.get(page))
    assert 'class="timeline-rows"' not in content
    assert f'<a href="{page}timeline/">' in content
    timeline = text(client.get(f"{page}timeline/"))
    bars = re.findall(r'<li class="timeline-row">(.*?)</li>', timeline, re.S)
    assert len(bars) == 3
    for measure in measures:
        assert f'<a href="/measures/{measure.pk}/">{measure.title}</a>' in timeline
    if kind == "focus_area":
        assert "Annat fokusområde" not in timeline


def test_a_timeline_that_fits_stays_on_its_page(client, officer, focus_area, make_measure):
    make_measure(title="Åtgärd 1")
    client.force_login(officer)
    content = text(client.get(f"/focus-areas/{focus_area.slug}/"))
    assert 'class="timeline-rows"' in content
    assert "timeline/" not in content


def test_a_new_measure_shows_at_once_in_a_timeline_of_its_own(
    client, officer, focus_area, make_measure
):
    client.force_login(officer)
    path = f"/focus-areas/{focus_area.slug}/timeline/"
    text(client.get(path))
    assert "Trygghetsvandring" not in text(client.get(path))
    make_measure(title="Trygghetsvandring")
    assert "Trygghetsvandring" in text(client.get(path))


def test_a_reviewed_update_leaves_the_queue_at_once(client, liaison, measure, make_update):
    updates = [make_update(measure, summary=f"Rapport {i}.") for i in range(2)]
    client.force_login(liaison)
    text(client.get("/reviews/"))
    assert "2 uppföljningar väntar" in text(client.get("/reviews/"))
    client.post(f"/updates/{updates[0].pk}/review/", {"verdict": "approved"})
    content = text(client.get("/reviews/"))
    assert "1 uppföljning väntar" in content
    assert f"/updates/{updates[0].pk}/review/" not in content


def test_the_review_queue_is_each_reviewers_own(client, liaison, django_user_model, update):
    """A liaison never reviews their own report: the cached queue is per reviewer."""
    from django.contrib.auth.models import Group

    from measures.roles import POLICE_LIAISON

    client.force_login(liaison)
    assert f"/updates/{update.pk}/review/" in text(client.get("/reviews/"))
    update.author = liaison
    update.save()
    assert f"/updates/{update.pk}/review/" not in text(client.get("/reviews/"))
    other = django_user_model.objects.create_user("polis2", password=None)
    other.groups.add(Group.objects.get(name=POLICE_LIAISON))
    client.force_login(other)
    assert f"/updates/{update.pk}/review/" in text(client.get("/reviews/"))


def test_a_report_moves_a_measure_on_the_worklist_at_once(client, officer, agreement, measure):
    measure.end_date = datetime.date(2027, 6, 30)
    measure.save()
    period = agreement.periods.containing(TODAY)
    client.force_login(officer)
    path = f"/periods/{period.pk}/"
    text(client.get(path))
    before = text(client.get(path))
    assert "Har inte rapporterat ännu" in before and "(1)" in section(before, "unreported-heading")
    response = client.post(
        f"/measures/{measure.pk}/updates/new/",
        {
            "reported_on": TODAY.isoformat(),
            "status": "in_progress",
            "progress": "40",
            "assessment": "green",
            "summary": "Vandringar varje fredag.",
        },
    )
    assert response.status_code == 302
    after = text(client.get(path))
    assert "(0)" in section(after, "unreported-heading")
    assert "(1)" in section(after, "reported-heading")


def test_the_review_queue_runs_the_same_queries_at_5_and_60_updates(
    client, liaison, make_measure, make_update
):
    client.force_login(liaison)
    counts = []
    for n in (5, 55):
        for i in range(n):
            measure = make_measure(title=f"Åtgärd {n}-{i}")
            update = make_update(measure)
            if i % 3 == 0:
                Review.objects.create(progress_update=update, reviewer=liaison, verdict="approved")
        counts.append(made_anew_and_again(client, "/reviews/"))
    assert counts[0] == counts[1]
    assert counts[1][1] == 1  # the user with the data version; the page from the cache
