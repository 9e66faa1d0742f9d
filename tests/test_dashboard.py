"""The follow-up pages: the overview, the agreement, focus areas, districts and the report.

The expected figures are worked out here in plain Python over the measures
the tests create, following PRODUCT.md, never through the app's QuerySets.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreement.models import Agreement, FocusArea
from measures.models import Measure, ProgressUpdate, Review

DAY = datetime.timedelta(days=1)
S = Measure.Status

STATUS_LABELS = {
    S.PLANNED: "Planerad",
    S.IN_PROGRESS: "Pågår",
    S.DONE: "Klar",
    S.PAUSED: "Pausad",
    S.CANCELLED: "Avbruten",
}
FLAG_LABELS = {
    "outside_period": "Utanför överenskommelsens period",
    "overdue": "Försenad",
    "not_started": "Inte påbörjad",
    "stale": "Ingen aktuell uppföljning",
    "no_owner": "Saknar kontaktperson",
    "ends_after_agreement": "Överenskommelsen löper snart ut",
}
FOCUS_AREAS = ["barn-och-unga", "offentlig-miljo", "hemmiljo", "samhallsniva"]


def days(n):
    return datetime.timedelta(days=n)


def chunk(content, start_marker, end_marker="</section>"):
    """The HTML from `start_marker` to the next `end_marker`."""
    begin = content.index(start_marker)
    return content[begin : content.index(end_marker, begin)]


def measures_word(n):
    return f"{n} åtgärd" if n == 1 else f"{n} åtgärder"


# --- What the test expects, by the definitions of PRODUCT.md


def expected_flags(measure, agreement, today, stale_after_days):
    """The flags of PRODUCT.md, worked out in Python for one measure."""
    if measure.is_archived:
        return set()
    closed = measure.status in (S.DONE, S.CANCELLED)
    reported = [u.reported_on for u in ProgressUpdate.objects.filter(measure=measure)]
    last_activity = max(reported) if reported else measure.start_date
    flags = set()
    if not (
        agreement.valid_from <= measure.start_date <= agreement.valid_until
        and agreement.valid_from <= measure.end_date <= agreement.valid_until
    ):
        flags.add("outside_period")
    if measure.end_date < today and not closed:
        flags.add("overdue")
    if measure.start_date < today and measure.status == S.PLANNED:
        flags.add("not_started")
    if measure.status == S.IN_PROGRESS and (today - last_activity).days > stale_after_days:
        flags.add("stale")
    if measure.owner_id is None:
        flags.add("no_owner")
    if (agreement.valid_until - today).days <= 180 and not closed:
        flags.add("ends_after_agreement")
    return flags


def share_done(measures):
    # Cancelled measures will never be done, so they do not count against the share.
    countable = [m for m in measures if m.status != S.CANCELLED]
    done = [m for m in countable if m.status == S.DONE]
    return round(100 * len(done) / len(countable)) if countable else 0


# --- Fixtures


@pytest.fixture
def portfolio(around_today, agreement, make_measure, make_update, officer, other_officer, liaison):
    """A dozen measures over three focus areas, one archived, one outside the period."""
    t = around_today
    fa = {fa.slug: fa for fa in FocusArea.objects.filter(agreement=agreement)}
    specs = [
        # (key, focus area, status, start, end, owner)
        ("m01", "barn-och-unga", S.PLANNED, t - days(10), t + days(100), officer),
        ("m02", "barn-och-unga", S.PLANNED, t + days(10), t + days(100), officer),
        ("m03", "barn-och-unga", S.IN_PROGRESS, t - days(200), t + days(100), other_officer),
        ("m04", "barn-och-unga", S.DONE, t - days(300), t - days(100), other_officer),
        ("m05", "barn-och-unga", S.CANCELLED, t - days(300), t - days(50), other_officer),
        ("m06", "barn-och-unga", S.IN_PROGRESS, t - days(100), t - days(5), officer),
        ("m07", "offentlig-miljo", S.IN_PROGRESS, t - days(200), t + days(100), officer),
        ("m08", "offentlig-miljo", S.IN_PROGRESS, t - days(60), t - DAY, officer),
        ("m09", "offentlig-miljo", S.DONE, t - days(100), t + days(50), other_officer),
        ("m10", "offentlig-miljo", S.DONE, t - days(30), t + days(30), officer),
        ("m11", "hemmiljo", S.PAUSED, t - days(30), t + days(30), None),
        ("m12", "hemmiljo", S.PLANNED, t - days(30), t - days(2), None),
        ("m13", "offentlig-miljo", S.IN_PROGRESS, t - days(10), t + days(10), other_officer),
    ]
    m = {}
    for key, slug, status, start, end, owner in specs:
        m[key] = make_measure(
            title=f"Åtgärd {key}",
            focus_area=fa[slug],
            status=status,
            start_date=start,
            end_date=end,
            owner=owner,
        )
    Measure.objects.filter(pk=m["m06"].pk).update(is_archived=True)
    # Imported data: the end lies a day after the agreement's period.
    Measure.objects.filter(pk=m["m13"].pk).update(end_date=t + days(401))

    def review(update, verdict):
        Review.objects.create(
            progress_update=update, reviewer=liaison, verdict=verdict, comment="Se över texten."
        )

    review(make_update(m["m07"], reported_on=t - days(40)), Review.Verdict.APPROVED)
    review(make_update(m["m07"], reported_on=t - days(10)), Review.Verdict.NEEDS_CHANGES)
    make_update(m["m08"], reported_on=t - days(5))
    make_update(m["m08"], reported_on=t - days(3), author=liaison)
    review(make_update(m["m10"], reported_on=t - days(20)), Review.Verdict.NEEDS_CHANGES)
    make_update(m["m10"], reported_on=t - days(8), status=S.DONE)
    make_update(m["m13"], reported_on=t - DAY)
    make_update(m["m06"], reported_on=t - days(2))
    for measure in m.values():
        measure.refresh_from_db()
    return m


@pytest.fixture
def expected(portfolio, agreement, around_today, settings):
    """Per focus area: the live measures and each one's flags."""
    today = around_today
    agreement.refresh_from_db()
    live = [m for m in portfolio.values() if not m.is_archived]
    flags = {
        m.pk: expected_flags(m, agreement, today, settings.STALE_AFTER_DAYS)
        for m in portfolio.values()
    }
    by_area = {slug: [m for m in live if m.focus_area.slug == slug] for slug in FOCUS_AREAS}
    return {"today": today, "live": live, "flags": flags, "by_area": by_area}


# --- The overview


def test_the_portfolio_has_the_flags_it_was_built_for(portfolio, expected):
    """Guards the data the overview tests rely on."""
    flags = expected["flags"]
    assert flags[portfolio["m01"].pk] == {"not_started"}
    assert flags[portfolio["m03"].pk] == {"stale"}
    assert flags[portfolio["m06"].pk] == set()
    assert flags[portfolio["m08"].pk] == {"overdue"}
    assert flags[portfolio["m12"].pk] == {"overdue", "not_started", "no_owner"}
    assert flags[portfolio["m13"].pk] == {"outside_period"}


def test_the_overview_counts_each_focus_areas_measures_by_status(client, officer, expected):
    client.force_login(officer)
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for slug in FOCUS_AREAS:
        measures = expected["by_area"][slug]
        card = chunk(content, f'<section class="card" aria-labelledby="fa-{slug}">')
        assert f"<p>{measures_word(len(measures))} · {share_done(measures)} % klara</p>" in card
        for status, label in STATUS_LABELS.items():
            n = sum(1 for m in measures if m.status == status)
            if n:
                assert f"{label}: {n}</li>" in card, (slug, label)
            else:
                assert f"</span>{label}: " not in card, (slug, label)
        if not measures:
            assert "Inga åtgärder ännu." in card


def test_the_overview_shows_the_share_done_of_all_live_measures(client, officer, expected):
    client.force_login(officer)
    content = client.get("/").content.decode()
    live = expected["live"]
    countable = [m for m in live if m.status != S.CANCELLED]
    done = [m for m in live if m.status == S.DONE]
    assert (len(live), len(countable), len(done)) == (12, 11, 3)
    stat = (
        f'<span class="stat__value">{share_done(live)} %</span>'
        f'<span class="stat__label">av åtgärderna klara ({len(done)} av {len(countable)})</span>'
    )
    assert stat in content


def test_the_overview_shows_each_focus_areas_flag_counts(client, officer, expected):
    client.force_login(officer)
    content = client.get("/").content.decode()
    for slug in FOCUS_AREAS:
        card = chunk(content, f'<section class="card" aria-labelledby="fa-{slug}">')
        measures = expected["by_area"][slug]
        any_flag = False
        for name, label in FLAG_LABELS.items():
            n = sum(1 for m in measures if name in expected["flags"][m.pk])
            if n:
                any_flag = True
                assert f'flag={name}">{label}: {n}</a>' in card, (slug, name)
            else:
                assert f"flag={name}" not in card, (slug, name)
        assert ("Inga flaggor." in card) is not any_flag


def test_needs_attention_lists_each_flagged_measure_once_with_its_flags(client, officer, expected):
    client.force_login(officer)
    content = client.get("/").content.decode()
    attention = chunk(content, '<section class="card" aria-labelledby="attention-heading">')
    flagged = [m for m in expected["live"] if expected["flags"][m.pk]]
    assert f'Behöver uppmärksamhet <span class="muted">({len(flagged)})</span></h2>' in attention
    for measure in flagged:
        assert attention.count(f'<a href="/measures/{measure.pk}/">') == 1, measure.title
        row = chunk(attention, f'<a href="/measures/{measure.pk}/">', "</tr>")
        for name in expected["flags"][measure.pk]:
            assert f'href="/measures/?flag={name}">{FLAG_LABELS[name]}</a>' in row
        for name in set(FLAG_LABELS) - expected["flags"][measure.pk]:
            assert f"?flag={name}" not in row
    for measure in expected["live"]:
        if measure not in flagged:
            assert f"/measures/{measure.pk}/" not in attention


def test_archived_measures_stay_out_of_the_overview(client, officer, portfolio, expected):
    client.force_login(officer)
    content = client.get("/").content.decode()
    archived = portfolio["m06"]
    assert f"/measures/{archived.pk}/" not in content
    assert archived.title not in content


def test_a_liaison_sees_how_many_updates_wait_for_review(client, liaison, portfolio):
    waiting = [
        u
        for u in ProgressUpdate.objects.all()
        if not u.reviews.exists() and not u.measure.is_archived and u.author_id != liaison.pk
    ]
    assert len(waiting) == 3
    client.force_login(liaison)
    content = client.get("/").content.decode()
    assert "<strong>3 uppföljningar väntar på din granskning.</strong>" in content
    assert '<a href="/reviews/">Gå till granskningskön</a>' in content


def test_a_liaison_with_one_update_waiting_reads_the_singular(
    client, liaison, update, around_today
):
    client.force_login(liaison)
    content = client.get("/").content.decode()
    assert "<strong>1 uppföljning väntar på din granskning.</strong>" in content


def test_an_officer_is_not_shown_the_review_count(client, officer, portfolio):
    client.force_login(officer)
    content = client.get("/").content.decode()
    assert "väntar på din granskning" not in content
    assert "Gå till granskningskön" not in content


def test_an_officer_sees_their_flagged_measures_and_those_needing_changes(
    client, officer, portfolio, expected
):
    """m01 is not started, m08 overdue, m07's newest update needs changes.

    m10's older update needs changes but its newest one does not; m06 is
    archived; m03 is flagged but someone else's."""
    client.force_login(officer)
    content = client.get("/").content.decode()
    mine = chunk(content, '<section class="card" aria-labelledby="mine-heading">')
    assert "Dina åtgärder som behöver uppmärksamhet" in mine
    listed = {int(pk) for pk in re.findall(r'<a href="/measures/(\d+)/">', mine)}
    assert listed == {portfolio[k].pk for k in ("m01", "m07", "m08")}
    assert mine.count("Senaste uppföljningen behöver kompletteras") == 1
    item_07 = chunk(mine, f'<a href="/measures/{portfolio["m07"].pk}/">', "</li>")
    assert "Senaste uppföljningen behöver kompletteras" in item_07
    item_08 = chunk(mine, f'<a href="/measures/{portfolio["m08"].pk}/">', "</li>")
    assert '<span class="badge badge--flag">Försenad</span>' in item_08


def test_an_officer_with_nothing_to_do_is_told_so(client, officer, make_measure, around_today):
    today = around_today
    make_measure(status=S.IN_PROGRESS, start_date=today, end_date=today + days(30))
    client.force_login(officer)
    content = client.get("/").content.decode()
    assert "Ingen av dina åtgärder behöver uppmärksamhet just nu." in content


def test_a_liaison_has_no_own_measures_section(client, liaison, portfolio):
    client.force_login(liaison)
    content = client.get("/").content.decode()
    assert "Dina åtgärder som behöver uppmärksamhet" not in content


def test_the_timeline_is_an_accessible_svg_with_a_line_for_today(
    client, officer, agreement, expected
):
    today = expected["today"]
    agreement.refresh_from_db()
    client.force_login(officer)
    content = client.get("/").content.decode()
    timeline = chunk(content, '<h2 id="timeline-heading">', "</details>")
    svg = chunk(timeline, "<svg", "</svg>")
    assert 'role="img"' in svg
    assert (
        '<title id="heatmap-title">Pågående åtgärder per månad under överenskommelsens '
        "period</title>"
    ) in svg
    share = (today - agreement.valid_from).days / (
        agreement.valid_until - agreement.valid_from
    ).days
    x = f"{round(share * 1000, 1):.1f}"
    assert f'<line class="today" x1="{x}" x2="{x}"' in svg
    assert "<summary>Visa tidslinjen som tabell</summary>" in timeline
    assert "<caption>Pågående åtgärder per månad</caption>" in timeline


def test_the_timelines_table_counts_the_measures_running_this_month(client, officer, expected):
    """This month has begun, so a measure still planned does not count: it
    has not started, whatever its dates say."""
    today = expected["today"]
    first = today.replace(day=1)
    last = (first + days(32)).replace(day=1) - DAY
    counts = [
        sum(
            1
            for m in expected["by_area"][slug]
            if m.start_date <= last and m.end_date >= first and m.status != S.PLANNED
        )
        for slug in FOCUS_AREAS
    ]
    assert sum(counts) > 0
    client.force_login(officer)
    content = client.get("/").content.decode()
    row = f'<tr><th scope="row">{today:%Y-%m}</th>' + "".join(
        f'<td class="num">{n}</td>' for n in counts
    )
    assert row in content


def test_the_timeline_has_no_today_line_once_the_period_is_over(client, officer, agreement):
    today = timezone.localdate()
    agreement.valid_from = today - days(400)
    agreement.valid_until = today - DAY
    agreement.save()
    client.force_login(officer)
    content = client.get("/").content.decode()
    assert 'role="img"' in content
    assert '<line class="today"' not in content


# --- The agreement


def test_the_agreement_page_shows_parties_goal_period_and_focus_areas(client, officer, db):
    client.force_login(officer)
    response = client.get("/agreement/")
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "<dt>Parter</dt><dd>Haninge kommun och lokalpolisområde Haninge/Nynäshamn</dd>" in content
    )
    assert "<dt>Gäller</dt><dd>2025-02-11 – 2027-12-31</dd>" in content
    assert "<h2>Det gemensamma målet</h2>" in content
    assert "Haninge ska vara en trygg och säker plats för alla" in content
    for slug, name in [
        ("barn-och-unga", "Barn och unga"),
        ("offentlig-miljo", "Offentlig miljö"),
        ("hemmiljo", "Hemmiljö"),
        ("samhallsniva", "Samhällsnivå"),
    ]:
        assert f'<a href="/focus-areas/{slug}/">{name}</a>' in content


def test_the_agreement_page_marks_the_vulnerable_districts(client, officer, db):
    client.force_login(officer)
    content = client.get("/agreement/").content.decode()
    jordbro = chunk(content, '<a href="/areas/jordbro/">', "</li>")
    handen = chunk(content, '<a href="/areas/handen/">', "</li>")
    assert "utsatt område" in jordbro
    assert "utsatt område" not in handen


# --- A focus area


def test_a_focus_area_page_shows_its_measures_and_flags(client, officer, portfolio, expected):
    client.force_login(officer)
    response = client.get("/focus-areas/barn-och-unga/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Barn och unga</h1>" in content
    assert "Samverkan kring barn och unga som är kriminella" in content
    own = expected["by_area"]["barn-och-unga"]
    for measure in expected["live"]:
        link = f'<a href="/measures/{measure.pk}/">{measure.title}</a>'
        assert (link in content) is (measure in own), measure.title
    assert portfolio["m06"].title not in content
    assert f"<p>{measures_word(len(own))} · {share_done(own)} % klara</p>" in content
    flags = chunk(content, '<h2 id="flags-heading">')
    for name, label in FLAG_LABELS.items():
        n = sum(1 for m in own if name in expected["flags"][m.pk])
        assert (f">{label}: {n}</a>" in flags) is bool(n), name
    assert 'role="img"' in content  # the status bar
    assert '<path class="today"' in content  # the timeline's line for today


def test_a_focus_area_without_measures_says_so(client, officer, portfolio):
    client.force_login(officer)
    content = client.get("/focus-areas/samhallsniva/").content.decode()
    assert "<p>0 åtgärder · 0 % klara</p>" in content
    assert "Inga flaggor." in content


@pytest.mark.parametrize("slug", ["finns-inte", "barn_och_unga", "gammalt-omrade"])
def test_an_unknown_focus_area_is_not_found(client, officer, agreement, slug):
    # A focus area of another, older agreement is not one of the current agreement's.
    old = Agreement.objects.create(
        title="Överenskommelse 2021",
        slug="haninge-2021",
        municipality="Haninge kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=datetime.date(2021, 3, 1),
        valid_from=datetime.date(2021, 3, 1),
        valid_until=datetime.date(2024, 12, 31),
    )
    FocusArea.objects.create(agreement=old, slug="gammalt-omrade", name="Gammalt område")
    client.force_login(officer)
    response = client.get(f"/focus-areas/{slug}/")
    assert response.status_code == 404
    assert "Sidan hittades inte" in response.content.decode()


# --- A district


@pytest.fixture
def district_measures(make_measure, agreement, jordbro, around_today):
    from agreement.models import Area

    handen = Area.objects.get(slug="handen")
    fa = {fa.slug: fa for fa in FocusArea.objects.filter(agreement=agreement)}
    t = around_today
    span = {"start_date": t - days(10), "end_date": t + days(100)}
    return {
        "young": make_measure(
            title="Fritidsgård i Jordbro", focus_area=fa["barn-och-unga"], areas=[jordbro], **span
        ),
        "economy": make_measure(
            title="Kontroller av lokaler i Jordbro",
            focus_area=fa["samhallsniva"],
            areas=[jordbro, handen],
            **span,
        ),
        "handen": make_measure(
            title="Belysning i Handen", focus_area=fa["offentlig-miljo"], areas=[handen], **span
        ),
        "whole": make_measure(title="Hela kommunen", focus_area=fa["hemmiljo"], **span),
        "archived": make_measure(
            title="Arkiverad i Jordbro",
            focus_area=fa["barn-och-unga"],
            areas=[jordbro],
            is_archived=True,
            **span,
        ),
    }


def test_a_district_shows_its_measures_across_focus_areas(client, officer, district_measures):
    client.force_login(officer)
    response = client.get("/areas/jordbro/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1>Jordbro <span class="badge badge--vulnerable">utsatt område</span></h1>' in content
    assert "2 åtgärder i Jordbro" in content
    for key in ("young", "economy"):
        measure = district_measures[key]
        assert f'<a href="/measures/{measure.pk}/">{measure.title}</a>' in content
    for key in ("handen", "whole", "archived"):
        assert district_measures[key].title not in content
    for slug, n in [
        ("barn-och-unga", 1),
        ("offentlig-miljo", 0),
        ("hemmiljo", 0),
        ("samhallsniva", 1),
    ]:
        card = chunk(content, f'<section class="card" aria-labelledby="fa-{slug}">')
        assert f"<p>{measures_word(n)}</p>" in card


def test_a_district_that_is_not_vulnerable_has_no_badge(client, officer, district_measures):
    client.force_login(officer)
    content = client.get("/areas/handen/").content.decode()
    assert "<h1>Handen</h1>" in content
    assert "utsatt område" not in content
    assert "Belysning i Handen" in content
    assert "Kontroller av lokaler i Jordbro" in content


def test_an_unknown_district_is_not_found(client, officer, db):
    client.force_login(officer)
    response = client.get("/areas/atlantis/")
    assert response.status_code == 404
    assert "Sidan hittades inte" in response.content.decode()


# --- Constant query counts


def _populate(n, *, start, make_measure, make_update, liaison, jordbro, agreement, officer):
    """`n` measures with owners, districts, updates and reviews, most in one focus area
    so that its page has more than one page of measures at 50. Measures 1–5 carry
    the flags overdue, not_started, stale, no_owner and outside_period."""
    fa = list(FocusArea.objects.filter(agreement=agreement).order_by("position"))
    today = timezone.localdate()
    statuses = [S.PLANNED, S.IN_PROGRESS, S.DONE, S.PAUSED, S.CANCELLED]
    for i in range(start, start + n):
        measure = make_measure(
            title=f"Åtgärd {i:03d}",
            focus_area=fa[0] if i % 5 else fa[i % 4],
            status=statuses[i % 5],
            owner=None if i % 7 == 3 else officer,
            start_date=today - days(100 + i),
            end_date=today + days(i - 20),
            areas=[jordbro],
        )
        update = make_update(measure, reported_on=today - days(200 if i % 10 == 1 else i % 60))
        if i % 25 == 2:
            Measure.objects.filter(pk=measure.pk).update(end_date=agreement.valid_until + DAY)
        if i % 2:
            Review.objects.create(
                progress_update=update,
                reviewer=liaison,
                verdict=Review.Verdict.NEEDS_CHANGES if i % 4 == 1 else Review.Verdict.APPROVED,
                comment="Komplettera.",
            )


# Queries of a page the first time after a write (rendered), and again
# (from the cache, where the page caches).
PINNED_QUERIES = {
    "/": (17, 1),
    # The bulk edit's lists of people and districts are read on every request.
    "/measures/": (12, 8),
    "/focus-areas/barn-och-unga/": (13, 2),
    "/areas/jordbro/": (11, 2),
}


@pytest.mark.parametrize(("path", "expected"), list(PINNED_QUERIES.items()))
def test_pages_run_the_same_number_of_queries_at_5_and_50_measures(
    client,
    officer,
    liaison,
    jordbro,
    agreement,
    around_today,
    make_measure,
    make_update,
    path,
    expected,
):
    """PRODUCT.md: pages run a constant number of SQL queries whatever the number
    of measures. A query per row (a missing select_related or prefetch, a count
    per focus area) would make the count grow from 5 to 50 measures.

    The first figure is the page rendered after a write, the second the page
    asked for again. Both include the user, read with the data version in
    one query; the session, the permissions and the role come from the cache
    once they are there. The overview and a focus area also look up the
    reporting period due now and the one before it, which the assessments are
    compared with; a focus area and a district list all their measures for
    the timeline beside the page of the table, and a focus area its
    indicators with their latest values."""
    populate = {
        "make_measure": make_measure,
        "make_update": make_update,
        "liaison": liaison,
        "jordbro": jordbro,
        "agreement": agreement,
        "officer": officer,
    }
    client.force_login(officer)
    counts = []
    for start, n in [(1, 5), (6, 45)]:
        _populate(n, start=start, **populate)
        figures = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200
            figures.append(len(queries))
        counts.append(tuple(figures))
    assert counts[0] == counts[1], "the number of queries grows with the number of measures"
    assert counts[0] == expected
    assert Measure.objects.count() == 50


def test_a_focus_areas_timeline_has_one_labelled_bar_per_measure_across_pages(
    client, officer, make_measure, focus_area, agreement, around_today
):
    """Every measure of the focus area is on its timeline, not only the 25 of
    the table's page, each with its title beside its bar."""
    other = FocusArea.objects.get(agreement=agreement, slug="hemmiljo")
    mine = [
        make_measure(
            title=f"Åtgärd {i:02d}",
            start_date=around_today - days(i),
            end_date=around_today + days(60),
        )
        for i in range(30)
    ]
    make_measure(title="Annat fokusområde", focus_area=other)
    client.force_login(officer)
    for page in ("1", "2"):
        content = client.get(f"/focus-areas/{focus_area.slug}/", {"page": page}).content.decode()
        timeline = chunk(content, '<ol class="timeline-rows">', "</ol>")
        rows = re.findall(r'<li class="timeline-row">(.*?)</li>', timeline, re.S)
        assert len(rows) == len(mine)
        for measure, row in zip(sorted(mine, key=lambda m: m.start_date), rows, strict=True):
            assert f'<a href="/measures/{measure.pk}/">{measure.title}</a>' in row
            assert 'class="timeline-row__bar"' in row
            assert f"seg-{measure.status}" in row
        assert "Annat fokusområde" not in timeline


def test_the_police_area_is_written_as_in_the_agreement_mid_sentence(client, officer):
    """The seeded agreement names the police area in lower case, as the
    agreement's own text does, so that sentences read right."""
    import importlib

    from django.apps import apps

    from agreement.models import Agreement

    agreement = Agreement.objects.get(slug="haninge-2025")
    assert agreement.police_area == "lokalpolisområde Haninge/Nynäshamn"
    # A database seeded before the change is corrected by a migration.
    Agreement.objects.filter(pk=agreement.pk).update(police_area="Lokalpolisområde Syd")
    migration = importlib.import_module("agreement.migrations.0008_police_area_as_in_the_agreement")
    migration.lower_first(apps, None)
    agreement.refresh_from_db()
    assert agreement.police_area == "lokalpolisområde Syd"
