"""The follow-up flags of PRODUCT.md at their edges, computed by the database.

Every test passes an explicit `today` to the QuerySet, so the edges are exact
whatever day the suite runs. The last tests go through the list filter over
HTTP, where the view takes today from the clock.
"""

import datetime
import re

import pytest
from django.utils import timezone

from measures.models import FLAGS, Measure

TODAY = datetime.date(2026, 5, 15)
DAY = datetime.timedelta(days=1)
AGREEMENT_END = datetime.date(2027, 12, 31)


def flags_of(measure, today=TODAY, **kwargs):
    """The names of the flags the database sets on one measure."""
    row = Measure.objects.with_flags(today, **kwargs).get(pk=measure.pk)
    return {name for name in FLAGS if getattr(row, f"flag_{name}")}


def flagged_pks(flag, today=TODAY, **kwargs):
    return set(Measure.objects.flagged(flag, today, **kwargs).values_list("pk", flat=True))


# --- overdue


def test_a_measure_ending_today_is_not_overdue(make_measure):
    measure = make_measure(end_date=TODAY, status=Measure.Status.IN_PROGRESS)
    assert "overdue" not in flags_of(measure)
    assert measure.pk not in flagged_pks("overdue")


def test_a_measure_that_ended_yesterday_is_overdue(make_measure):
    measure = make_measure(end_date=TODAY - DAY, status=Measure.Status.IN_PROGRESS)
    assert "overdue" in flags_of(measure)
    assert flagged_pks("overdue") == {measure.pk}


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (Measure.Status.PLANNED, True),
        (Measure.Status.IN_PROGRESS, True),
        (Measure.Status.PAUSED, True),
        (Measure.Status.DONE, False),
        (Measure.Status.CANCELLED, False),
    ],
)
def test_done_and_cancelled_measures_are_never_overdue(make_measure, status, overdue):
    measure = make_measure(
        start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 6, 30), status=status
    )
    assert ("overdue" in flags_of(measure)) is overdue


# --- not_started


@pytest.mark.parametrize(
    ("start", "status", "expected"),
    [
        (TODAY - DAY, Measure.Status.PLANNED, True),
        (TODAY, Measure.Status.PLANNED, False),
        (TODAY + DAY, Measure.Status.PLANNED, False),
        (TODAY - DAY, Measure.Status.IN_PROGRESS, False),
        (TODAY - DAY, Measure.Status.PAUSED, False),
        (TODAY - DAY, Measure.Status.DONE, False),
    ],
)
def test_not_started_means_the_start_date_has_passed_and_still_planned(
    make_measure, start, status, expected
):
    measure = make_measure(start_date=start, end_date=datetime.date(2026, 12, 31), status=status)
    assert ("not_started" in flags_of(measure)) is expected
    assert (measure.pk in flagged_pks("not_started")) is expected


# --- stale


def _in_progress(make_measure, **fields):
    values = {
        "start_date": datetime.date(2025, 3, 1),
        "end_date": datetime.date(2027, 6, 30),
        "status": Measure.Status.IN_PROGRESS,
    }
    values.update(fields)
    return make_measure(**values)


def test_an_update_exactly_stale_after_days_ago_is_not_stale(make_measure, make_update, settings):
    days = settings.STALE_AFTER_DAYS
    measure = _in_progress(make_measure)
    make_update(measure, reported_on=TODAY - datetime.timedelta(days=days))
    assert "stale" not in flags_of(measure)
    assert measure.pk not in flagged_pks("stale")


def test_an_update_one_day_older_than_stale_after_days_is_stale(
    make_measure, make_update, settings
):
    days = settings.STALE_AFTER_DAYS
    measure = _in_progress(make_measure)
    make_update(measure, reported_on=TODAY - datetime.timedelta(days=days + 1))
    assert "stale" in flags_of(measure)
    assert flagged_pks("stale") == {measure.pk}


def test_stale_counts_from_the_newest_update_not_the_first(make_measure, make_update, settings):
    days = settings.STALE_AFTER_DAYS
    measure = _in_progress(make_measure)
    make_update(measure, reported_on=TODAY - datetime.timedelta(days=days + 100))
    make_update(measure, reported_on=TODAY - datetime.timedelta(days=days - 1))
    assert "stale" not in flags_of(measure)


def test_without_any_update_the_start_date_counts(make_measure, settings):
    days = settings.STALE_AFTER_DAYS
    exactly = _in_progress(make_measure, start_date=TODAY - datetime.timedelta(days=days))
    one_more = _in_progress(make_measure, start_date=TODAY - datetime.timedelta(days=days + 1))
    assert "stale" not in flags_of(exactly)
    assert "stale" in flags_of(one_more)
    assert flagged_pks("stale") == {one_more.pk}


def test_the_stale_after_days_setting_moves_the_edge(make_measure, make_update, settings):
    settings.STALE_AFTER_DAYS = 30
    measure = _in_progress(make_measure)
    make_update(measure, reported_on=TODAY - datetime.timedelta(days=30))
    assert "stale" not in flags_of(measure)

    make_update(measure, reported_on=TODAY - datetime.timedelta(days=31))
    measure.updates.filter(reported_on=TODAY - datetime.timedelta(days=30)).delete()
    assert "stale" in flags_of(measure)
    # Under the default of 90 days the same update would be recent enough.
    assert "stale" not in flags_of(measure, stale_after_days=90)


@pytest.mark.parametrize(
    "status",
    [
        Measure.Status.PLANNED,
        Measure.Status.PAUSED,
        Measure.Status.DONE,
        Measure.Status.CANCELLED,
    ],
)
def test_only_measures_in_progress_go_stale(make_measure, status):
    measure = make_measure(
        start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2027, 6, 30), status=status
    )
    assert "stale" not in flags_of(measure)


# --- no_owner


def test_a_measure_without_contact_person_has_no_owner(make_measure, officer):
    without = make_measure(owner=None)
    with_owner = make_measure(owner=officer)
    assert "no_owner" in flags_of(without)
    assert "no_owner" not in flags_of(with_owner)
    assert flagged_pks("no_owner") == {without.pk}


def test_a_measure_whose_contact_person_left_has_no_owner(make_measure, other_officer):
    """People who leave are deactivated, not deleted; their measures need a
    new contact person."""
    measure = make_measure(owner=other_officer)
    assert "no_owner" not in flags_of(measure)
    other_officer.is_active = False
    other_officer.save()
    assert "no_owner" in flags_of(measure)


# --- outside_period


@pytest.mark.parametrize(
    ("start", "end", "outside"),
    [
        (datetime.date(2025, 2, 11), datetime.date(2027, 12, 31), False),
        (datetime.date(2025, 2, 10), datetime.date(2026, 1, 31), True),
        (datetime.date(2026, 1, 1), datetime.date(2028, 1, 1), True),
        (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), True),
        (datetime.date(2028, 2, 1), datetime.date(2028, 3, 1), True),
    ],
)
def test_a_date_outside_the_agreements_period_is_flagged(make_measure, start, end, outside):
    measure = make_measure()
    # clean() refuses such dates, so they arrive the way imported data would.
    Measure.objects.filter(pk=measure.pk).update(start_date=start, end_date=end)
    assert ("outside_period" in flags_of(measure)) is outside
    assert (measure.pk in flagged_pks("outside_period")) is outside


def test_changing_the_agreements_dates_flags_measures_left_outside(make_measure, agreement):
    early = make_measure(start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 9, 30))
    late = make_measure(start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2027, 6, 30))
    assert flagged_pks("outside_period") == set()

    agreement.valid_until = datetime.date(2026, 12, 31)
    agreement.save()
    assert flagged_pks("outside_period") == {late.pk}

    agreement.valid_from = datetime.date(2025, 4, 1)
    agreement.save()
    assert flagged_pks("outside_period") == {early.pk, late.pk}


# --- ends_after_agreement


def test_ends_after_agreement_starts_180_days_before_the_agreement_ends(make_measure):
    measure = make_measure(
        start_date=datetime.date(2027, 1, 1),
        end_date=AGREEMENT_END,
        status=Measure.Status.IN_PROGRESS,
    )
    edge = AGREEMENT_END - datetime.timedelta(days=180)
    assert edge == datetime.date(2027, 7, 4)
    assert "ends_after_agreement" not in flags_of(measure, today=edge - DAY)
    assert "ends_after_agreement" in flags_of(measure, today=edge)
    assert "ends_after_agreement" in flags_of(measure, today=AGREEMENT_END)
    assert flagged_pks("ends_after_agreement", today=edge) == {measure.pk}
    assert flagged_pks("ends_after_agreement", today=edge - DAY) == set()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Measure.Status.PLANNED, True),
        (Measure.Status.IN_PROGRESS, True),
        (Measure.Status.PAUSED, True),
        (Measure.Status.DONE, False),
        (Measure.Status.CANCELLED, False),
    ],
)
def test_done_and_cancelled_measures_never_carry_ends_after_agreement(
    make_measure, status, expected
):
    measure = make_measure(
        start_date=datetime.date(2027, 1, 1), end_date=datetime.date(2027, 12, 1), status=status
    )
    today = datetime.date(2027, 11, 1)
    assert ("ends_after_agreement" in flags_of(measure, today=today)) is expected


# --- archived


@pytest.fixture
def flag_magnets(make_measure, agreement):
    """Two measures that between them carry every flag."""
    agreement.valid_until = datetime.date(2026, 8, 31)
    agreement.save()
    planned = make_measure(
        owner=None,
        status=Measure.Status.PLANNED,
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2026, 4, 30),
    )
    running = make_measure(
        owner=None,
        status=Measure.Status.IN_PROGRESS,
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2026, 4, 30),
    )
    Measure.objects.filter(pk__in=[planned.pk, running.pk]).update(
        start_date=datetime.date(2025, 1, 1)
    )
    return planned, running


def test_the_flag_magnets_carry_every_flag_while_live(flag_magnets):
    planned, running = flag_magnets
    assert flags_of(planned) | flags_of(running) == set(FLAGS)


@pytest.mark.parametrize("flag", list(FLAGS))
def test_archived_measures_never_carry_a_flag(flag_magnets, flag):
    planned, running = flag_magnets
    assert flagged_pks(flag) & {planned.pk, running.pk}
    Measure.objects.filter(pk__in=[planned.pk, running.pk]).update(is_archived=True)
    assert flags_of(planned) == set()
    assert flags_of(running) == set()
    assert flagged_pks(flag) == set()


# --- the list filter agrees with the QuerySet


LIST_ROW = re.compile(r'<td(?: class="col-title")?><a href="/measures/(\d+)/">')


def _listed(client, query):
    response = client.get("/measures/", query)
    assert response.status_code == 200
    return {int(pk) for pk in LIST_ROW.findall(response.content.decode())}


@pytest.fixture
def flagged_by_hand(around_today, make_measure, make_update, officer, settings):
    """Measures built so that each flag but ends_after_agreement has a known set."""
    today = around_today
    days = settings.STALE_AFTER_DAYS
    far = today + datetime.timedelta(days=200)
    m = {
        "overdue": make_measure(
            status=Measure.Status.IN_PROGRESS,
            start_date=today - datetime.timedelta(days=30),
            end_date=today - DAY,
        ),
        "ends_today": make_measure(
            status=Measure.Status.IN_PROGRESS,
            start_date=today - datetime.timedelta(days=30),
            end_date=today,
        ),
        "done_late": make_measure(
            status=Measure.Status.DONE,
            start_date=today - datetime.timedelta(days=60),
            end_date=today - datetime.timedelta(days=10),
        ),
        "not_started": make_measure(
            status=Measure.Status.PLANNED, start_date=today - DAY, end_date=far
        ),
        "starts_today": make_measure(status=Measure.Status.PLANNED, start_date=today, end_date=far),
        "stale": make_measure(
            status=Measure.Status.IN_PROGRESS,
            start_date=today - datetime.timedelta(days=days + 50),
            end_date=far,
        ),
        "fresh": make_measure(
            status=Measure.Status.IN_PROGRESS,
            start_date=today - datetime.timedelta(days=days + 50),
            end_date=far,
        ),
        "no_owner": make_measure(
            owner=None, status=Measure.Status.IN_PROGRESS, start_date=today, end_date=far
        ),
        "outside": make_measure(status=Measure.Status.IN_PROGRESS, start_date=today, end_date=far),
        "archived": make_measure(
            owner=None,
            status=Measure.Status.PLANNED,
            start_date=today - datetime.timedelta(days=30),
            end_date=today - DAY,
            is_archived=True,
        ),
    }
    make_update(m["stale"], reported_on=today - datetime.timedelta(days=days + 1))
    make_update(m["fresh"], reported_on=today - datetime.timedelta(days=days))
    Measure.objects.filter(pk=m["outside"].pk).update(end_date=today + datetime.timedelta(days=401))
    expected = {
        "overdue": {m["overdue"].pk},
        "not_started": {m["not_started"].pk},
        "stale": {m["stale"].pk},
        "no_owner": {m["no_owner"].pk},
        "outside_period": {m["outside"].pk},
        "ends_after_agreement": set(),
    }
    return today, expected


@pytest.mark.parametrize("flag", list(FLAGS))
def test_the_list_filter_shows_exactly_what_the_queryset_flags(
    client, officer, flagged_by_hand, flag
):
    today, expected = flagged_by_hand
    client.force_login(officer)
    assert flagged_pks(flag, today=today) == expected[flag]
    assert _listed(client, {"flag": flag}) == expected[flag]


def test_the_list_filter_shows_measures_of_an_agreement_ending_soon(
    client, officer, agreement, make_measure
):
    today = timezone.localdate()
    agreement.valid_from = today - datetime.timedelta(days=700)
    agreement.valid_until = today + datetime.timedelta(days=180)
    agreement.save()
    running = make_measure(
        status=Measure.Status.IN_PROGRESS, start_date=today, end_date=agreement.valid_until
    )
    make_measure(status=Measure.Status.DONE, start_date=today, end_date=agreement.valid_until)
    client.force_login(officer)
    assert flagged_pks("ends_after_agreement", today=today) == {running.pk}
    assert _listed(client, {"flag": "ends_after_agreement"}) == {running.pk}


def test_the_list_filter_combines_a_flag_with_other_filters(client, officer, flagged_by_hand):
    _today, expected = flagged_by_hand
    client.force_login(officer)
    assert _listed(client, {"flag": "overdue", "status": "in_progress"}) == expected["overdue"]
    assert _listed(client, {"flag": "overdue", "status": "planned"}) == set()


def test_the_list_shows_the_flags_in_swedish(client, officer, flagged_by_hand):
    client.force_login(officer)
    content = client.get("/measures/", {"flag": "overdue"}).content.decode()
    assert re.search(r'<li class="flag-chip flag-chip--overdue"[^>]*>Försenad</li>', content)


def test_an_unknown_flag_is_refused_in_swedish_and_shows_nothing(client, officer, flagged_by_hand):
    client.force_login(officer)
    response = client.get("/measures/", {"flag": "bogus"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Några filter kunde inte användas" in content
    assert Measure.objects.filter(is_archived=False).exists()
    assert LIST_ROW.findall(content) == []
