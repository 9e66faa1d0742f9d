"""The chain's pages run a constant number of queries, at 5 measures as at 100.

Each measure addresses a problem, names an indicator and keeps a promise, so
a query per measure, per problem or per indicator (a missing prefetch, a
count in a loop) would make the figure grow. Each page is pinned twice: made
anew after a write, and again with its cached parts; both include the user,
read with the data version (the session and permissions come from the cache).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreement.models import Problem
from followup.models import Meeting
from measures.models import Measure
from tests.query_counts import made_anew_and_again

D = datetime.date


@pytest.fixture
def chain(problem, make_problem, indicator, make_indicator, make_value, promise, agreement):
    """Two problems (one never addressed), two indicators with four values
    each, a promise, and a frozen meeting."""
    lonely = make_problem(title="Inbrott i Vendelsö")
    school = make_indicator(title="Trygga i skolan", direction="increase", target_value=40)
    for target in (indicator, school):
        for year in (2023, 2024, 2025, 2026):
            make_value(target, D(year, 10, 15), 30)
    Meeting.objects.create(
        agreement=agreement,
        period=agreement.periods.get(name="T2 2026"),
        held_on=D(2026, 9, 21),
        title="Styrgrupp T2",
        frozen_at=datetime.datetime(2026, 9, 21, 13, tzinfo=datetime.UTC),
        snapshot={},
    )
    return {"problem": problem, "lonely": lonely, "indicator": indicator, "promise": promise}


def populate(n, start, *, make_measure, make_update, jordbro, chain):
    assessments = ["green", "yellow", "red"]
    for i in range(start, start + n):
        measure = make_measure(
            title=f"Åtgärd {i:03d}",
            start_date=D(2025, 3, 1) + datetime.timedelta(days=i),
            areas=[jordbro],
        )
        if i % 5:  # some name no problem
            measure.problems.add(chain["problem"])
        measure.indicators.add(chain["indicator"])
        measure.promises.add(chain["promise"])
        make_update(measure, reported_on=D(2026, 2, 1), assessment=assessments[i % 3])


# (made anew after a write, again with its cached parts)
PINNED = {
    "/agreement/": (13, 1),
    "/situation/": (11, 2),
    "/situation/{report}/": (11, 2),
    "/situation/?unaddressed=1": (11, 2),
    "/indicators/": (6, 1),
    "/indicators/{indicator}/": (10, 2),
    "/indicators/{indicator}/values/new/": (7, 3),
    "/promises/": (7, 1),
    "/promises/{promise}/": (8, 2),  # the rows shown, and the assessments of all counted
    "/measures/?flag=no_problem": (12, 8),
    "/measures/new/": (11, 7),
}


@pytest.mark.parametrize(("template", "expected"), list(PINNED.items()))
def test_the_chains_pages_run_the_same_number_of_queries_at_5_and_100_measures(
    client,
    officer,
    jordbro,
    make_measure,
    make_update,
    chain,
    template,
    expected,
):
    path = template.format(
        report=chain["problem"].situation_report_id,
        indicator=chain["indicator"].pk,
        promise=chain["promise"].pk,
    )
    objects = {
        "make_measure": make_measure,
        "make_update": make_update,
        "jordbro": jordbro,
        "chain": chain,
    }
    client.force_login(officer)
    counts = []
    for start, n in [(1, 5), (6, 95)]:
        populate(n, start, **objects)
        counts.append(made_anew_and_again(client, path))
    assert counts[0] == counts[1], "the number of queries grows with the number of measures"
    assert counts[1] == expected
    assert Measure.objects.count() == 100
    assert Problem.objects.count() == 2


def test_a_measure_page_with_problems_indicators_and_promises_runs_as_many_queries(
    client, officer, make_measure, chain, django_assert_num_queries
):
    """The measure's own links are read with the page's fixed queries, however
    many it has, and their history too."""
    plain = make_measure(title="Utan kopplingar")
    client.force_login(officer)
    client.get(f"/measures/{plain.pk}/")
    with CaptureQueriesContext(connection) as plain_queries:
        client.get(f"/measures/{plain.pk}/")
    plain_count = len(plain_queries)

    linked = make_measure(title="Med kopplingar")
    linked.problems.add(chain["problem"], chain["lonely"])
    linked.indicators.add(chain["indicator"])
    linked.promises.add(chain["promise"])
    client.get(f"/measures/{linked.pk}/")  # the writes moved the data version: warm again
    with django_assert_num_queries(plain_count):
        client.get(f"/measures/{linked.pk}/")
