"""/measures/<id>/: the plan, the period bar, progress updates with reviews, history."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures.models import Measure, ProgressUpdate, Review


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def detail_page(client, measure):
    response = client.get(f"/measures/{measure.pk}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def name(user):
    return user.get_full_name()


def test_the_plan_is_shown_in_the_order_of_the_action_plan(
    as_officer, make_measure, officer, jordbro
):
    measure = make_measure(
        title="Trygghetsvandring i Jordbro",
        cause="Boende känner sig otrygga vid busstorget.",
        description="Kommunen, polisen och bostadsbolaget går runt med boende.",
        operational_goal="En åtgärdslista till tekniska nämnden före sommaren.",
        kind=Measure.Kind.SITUATIONAL,
        is_one_off=True,
        responsible_unit="Samhällsbyggnadsförvaltningen",
        areas=[jordbro],
    )

    content = detail_page(as_officer, measure)

    assert "<h1>Trygghetsvandring i Jordbro</h1>" in content
    plan = content[content.index("<h2>Planen</h2>") :]
    order = [
        "<dt>Fokusområde</dt><dd>",
        "Barn och unga",
        '<dt>Orsak</dt><dd class="prose">Boende känner sig otrygga vid busstorget.</dd>',
        '<dt>Åtgärd</dt><dd class="prose">Kommunen, polisen och bostadsbolaget går',
        "<dt>Typ av åtgärd</dt><dd>Situationell, punktinsats</dd>",
        '<dt>Operativt mål</dt><dd class="prose">En åtgärdslista till tekniska nämnden',
        "<dt>Ansvarig part</dt><dd>Kommunen – Samhällsbyggnadsförvaltningen</dd>",
        f"<dt>Kontaktperson</dt><dd>{name(officer)}",
        '<dt>Kommundelar</dt><dd><a href="/areas/jordbro/">Jordbro</a> '
        '<span class="badge badge--vulnerable">utsatt område</span>',
    ]
    positions = [plan.index(part) for part in order]
    assert positions == sorted(positions)
    assert "<dt>Period</dt><dd>2025-03-01 – 2026-06-30</dd>" in content
    assert '<span class="badge badge--planned">Planerad</span>' in content


def test_a_measure_without_owner_or_districts_says_so(as_officer, make_measure):
    measure = make_measure(owner=None)

    content = detail_page(as_officer, measure)

    assert "Ingen är angiven ännu" in content
    assert "<dt>Kommundelar</dt><dd>Hela kommunen</dd>" in content
    # The no_owner flag is shown with its explanation.
    assert '<span class="badge badge--flag">Saknar kontaktperson</span>' in content
    assert (
        "<strong>Saknar kontaktperson:</strong> Ingen kontaktperson är angiven, "
        "eller så har den angivna personen slutat." in content
    )


def test_the_period_bar_is_an_svg_image_with_a_title(as_officer, measure, agreement):
    content = detail_page(as_officer, measure)

    svg = re.search(r"<svg[^>]*>.*?</svg>", content, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="period-bar-title period-bar-desc"' in svg
    assert '<title id="period-bar-title">Åtgärden inom överenskommelsens period</title>' in svg
    assert (
        '<desc id="period-bar-desc">Åtgärden pågår 2025-03-01 till 2026-06-30, inom '
        "överenskommelsens period 2025-02-11 – 2027-12-31.</desc>"
    ) in svg
    # The bar sits where the measure's dates fall within the 0–1000 wide period.
    days = (agreement.valid_until - agreement.valid_from).days
    x1 = round((measure.start_date - agreement.valid_from).days / days * 1000, 1)
    x2 = round((measure.end_date - agreement.valid_from).days / days * 1000, 1)
    bar = re.search(r'<rect class="measure-bar" x="([\d.]+)" y="16" width="([\d.]+)"', svg)
    assert float(bar.group(1)) == pytest.approx(x1, abs=0.05)
    assert float(bar.group(2)) == pytest.approx(x2 - x1, abs=0.1)
    assert "<span>2025-02-11</span>" in content
    assert "<span>2027-12-31</span>" in content


def test_a_measure_over_the_whole_period_fills_the_bar(as_officer, make_measure):
    measure = make_measure(
        start_date=datetime.date(2025, 2, 11), end_date=datetime.date(2027, 12, 31)
    )

    content = detail_page(as_officer, measure)

    assert '<rect class="measure-bar" x="0.0" y="16" width="1000.0"' in content


def test_progress_updates_are_shown_newest_first_with_their_reviews(
    as_officer, measure, make_update, liaison, officer
):
    make_update(measure, reported_on=datetime.date(2025, 5, 1), summary="Första rapporten.")
    newest = make_update(
        measure, reported_on=datetime.date(2025, 8, 1), progress=60, summary="Tredje rapporten."
    )
    middle = make_update(
        measure,
        reported_on=datetime.date(2025, 7, 1),
        assessment=ProgressUpdate.Assessment.YELLOW,
        summary="Andra rapporten.",
        next_steps="Fler vuxna behövs i augusti.",
    )
    Review.objects.create(
        progress_update=middle,
        reviewer=liaison,
        verdict=Review.Verdict.APPROVED,
        comment="Tydligt och bra.",
    )
    Review.objects.create(
        progress_update=newest,
        reviewer=liaison,
        verdict=Review.Verdict.NEEDS_CHANGES,
        comment="Ange hur många vuxna som deltog.",
    )

    content = detail_page(as_officer, measure)

    assert 'Uppföljningar <span class="muted">(3)</span>' in content
    order = [content.index(text) for text in ("Tredje", "Andra", "Första")]
    assert order == sorted(order)
    assert "<strong>2025-08-01</strong>" in content
    assert "60 % genomfört" in content
    assert '<span class="badge badge--yellow">Risk för avvikelse</span>' in content
    assert "<strong>Nästa steg:</strong> Fler vuxna behövs i augusti." in content
    assert name(officer) in content
    newest_part = content[content.index("Tredje") : content.index("Andra")]
    assert '<span class="badge badge--needs_changes">Behöver kompletteras</span>' in newest_part
    assert f"av {name(liaison)}, " in newest_part
    assert "Ange hur många vuxna som deltog." in newest_part
    middle_part = content[content.index("Andra") : content.index("Första")]
    assert '<span class="badge badge--approved">Godkänd</span>' in middle_part
    assert "Tydligt och bra." in middle_part
    oldest_part = content[content.index("Första") : content.index("Ändringshistorik")]
    assert "Inte granskad ännu." in oldest_part
    # The newest update needs changes: the head of the page says so.
    assert "Senaste uppföljningen behöver kompletteras" in content
    # The latest progress is the newest report's.
    assert "<dt>Genomfört</dt><dd>60 %</dd>" in content


def test_a_measure_without_updates_says_nobody_has_reported(as_officer, measure):
    content = detail_page(as_officer, measure)

    assert "Ingen har följt upp åtgärden ännu." in content
    assert "<dt>Genomfört</dt><dd>Ingen uppföljning ännu</dd>" in content
    assert "Senaste uppföljningen behöver kompletteras" not in content


def test_the_liaison_gets_a_review_link_on_unreviewed_updates(client, measure, update, liaison):
    client.force_login(liaison)

    content = detail_page(client, measure)

    assert f'<a href="/updates/{update.pk}/review/">Granska</a>' in content


def test_history_shows_who_changed_which_field_from_what_to_what(
    as_officer, make_measure, officer, jordbro
):
    measure = make_measure(title="Nattvandring i Handen", end_date=datetime.date(2026, 6, 30))
    edit = as_officer.get(f"/measures/{measure.pk}/edit/")
    assert edit.status_code == 200

    response = as_officer.post(
        f"/measures/{measure.pk}/edit/",
        {
            "focus_area": measure.focus_area_id,
            "title": "Nattvandring i Handen och Vega",
            "cause": measure.cause,
            "description": measure.description,
            "kind": measure.kind,
            "operational_goal": measure.operational_goal,
            "start_date": "2025-03-01",
            "end_date": "2026-12-31",
            "responsible_party": measure.responsible_party,
            "responsible_unit": "",
            "owner": officer.pk,
            "areas": [jordbro.pk],
            "version": measure.version,
        },
    )
    assert response.status_code == 302

    content = detail_page(as_officer, measure)

    history = content[content.index("Ändringshistorik") :]
    who = name(officer)
    assert (
        f"<td>{who}</td><td>Titel</td><td><del>Nattvandring i Handen</del></td>"
        "<td><ins>Nattvandring i Handen och Vega</ins></td>"
    ) in history
    assert (
        f"<td>{who}</td><td>Slutdatum</td><td><del>2026-06-30</del></td>"
        "<td><ins>2026-12-31</ins></td>"
    ) in history
    assert (
        f"<td>{who}</td><td>Kommundelar</td><td><del>–</del></td><td><ins>Jordbro</ins></td>"
    ) in history
    assert "Skapade åtgärden" in history
    # Fields that were not changed are not listed.
    assert "<td>Orsak</td>" not in history
    # Newest first: the edit comes before the creation.
    assert history.index("Titel") < history.index("Skapade åtgärden")


def test_history_records_a_status_change_from_a_progress_update(client, make_measure, liaison):
    measure = make_measure(responsible_party=Measure.Party.POLIS)
    client.force_login(liaison)
    client.post(
        f"/measures/{measure.pk}/updates/new/",
        {
            "reported_on": timezone.localdate().isoformat(),
            "status": "in_progress",
            "progress": "10",
            "assessment": "green",
            "summary": "Arbetet har börjat.",
        },
    )

    content = detail_page(client, measure)

    assert (
        f"<td>{name(liaison)}</td><td>Status</td><td><del>Planerad</del></td>"
        "<td><ins>Pågår</ins></td>"
    ) in content


def test_an_archived_measure_says_so(as_officer, make_measure):
    measure = make_measure(is_archived=True)

    content = detail_page(as_officer, measure)

    assert '<span class="badge badge--archived">Arkiverad</span>' in content
    assert "Åtgärden är arkiverad." in content
    assert "Återställ åtgärden" in content
    assert f'href="/measures/{measure.pk}/edit/"' not in content


def test_query_count_does_not_grow_with_the_number_of_measures(
    as_officer, make_measure, make_update, liaison, jordbro, django_assert_num_queries
):
    """The detail page runs a fixed number of queries: flags are annotations,
    updates come with their authors and reviews prefetched, and the history is
    read in a constant number of queries. Other measures in the database must
    not add any, so the count for a database of 100 measures equals the count
    for 5, for the same measure with the same history."""
    measure = make_measure(areas=[jordbro])
    for reported_on in (datetime.date(2025, 5, 1), datetime.date(2025, 8, 1)):
        update = make_update(measure, reported_on=reported_on)
        Review.objects.create(
            progress_update=update, reviewer=liaison, verdict=Review.Verdict.APPROVED
        )
    for _ in range(4):
        make_measure(areas=[jordbro])
    detail_page(as_officer, measure)  # warm caches that are filled once per process

    with CaptureQueriesContext(connection) as five:
        detail_page(as_officer, measure)
    five_count = len(five)  # read now: a later request empties the log

    for _ in range(95):
        other = make_measure(areas=[jordbro])
        make_update(other)
    detail_page(as_officer, measure)  # the writes moved the data version: warm again
    with django_assert_num_queries(five_count):
        detail_page(as_officer, measure)


def test_query_count_does_not_grow_with_the_measures_updates_and_history(
    as_officer,
    make_measure,
    make_update,
    officer,
    other_officer,
    liaison,
    admin,
    jordbro,
    django_assert_num_queries,
):
    """Each update's author and reviews, and each history row's user, are read
    with the page's fixed queries: a measure with ten reviewed updates by
    different people and a long history costs as many queries as one with a
    single reviewed update and no edits."""
    authors, reviewers = [officer, other_officer, admin], [liaison, admin]

    def reviewed_updates(measure, count):
        for n in range(count):
            update = make_update(
                measure, reported_on=datetime.date(2025, 4, 1 + n), author=authors[n % 3]
            )
            Review.objects.create(
                progress_update=update,
                reviewer=reviewers[n % 2],
                verdict=Review.Verdict.NEEDS_CHANGES,
                comment="Komplettera.",
            )

    small = make_measure()
    reviewed_updates(small, 1)
    detail_page(as_officer, small)  # warm caches that are filled once per process
    with CaptureQueriesContext(connection) as few:
        detail_page(as_officer, small)
    few_count = len(few)  # read now: a later request empties the log

    large = make_measure(areas=[jordbro])
    reviewed_updates(large, 10)
    for n, editor in enumerate([officer, other_officer, admin, officer]):
        large.title = f"Nattvandring, version {n}"
        large.owner = editor
        large._history_user = editor
        large.save()
    detail_page(as_officer, large)  # the writes moved the data version: warm again
    with django_assert_num_queries(few_count):
        detail_page(as_officer, large)


def test_creating_a_measure_with_districts_is_one_entry_in_the_history(
    as_officer, focus_area, jordbro
):
    response = as_officer.post(
        "/measures/new/",
        {
            "focus_area": focus_area.pk,
            "title": "Trygghetsvandring i Jordbro",
            "cause": "Otrygghet kvällstid.",
            "description": "Boende och polis går tillsammans.",
            "kind": "situational",
            "operational_goal": "En åtgärdslista inom sex veckor.",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "responsible_party": "gemensam",
            "areas": [jordbro.pk],
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(title="Trygghetsvandring i Jordbro")
    # The districts are saved just after the row: two records in the database...
    assert measure.history.count() == 2

    history = detail_page(as_officer, measure)
    history = history[history.index("Ändringshistorik") :]
    # ... but one event for the reader: the measure was created.
    assert "Skapade åtgärden" in history
    assert "<td>Kommundelar</td>" not in history
