"""The chain's pages run a constant number of queries, at 5 measures as at 100.

Each measure addresses a problem, names an indicator and keeps a promise, so
a query per measure, per problem or per indicator (a missing prefetch, a
count in a loop) would make the figure grow. Each pinned figure includes the
session, the user, the permission look-ups and the role in the header.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreement.models import Problem
from followup.models import Meeting
from measures.models import Measure

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


PINNED = {
    "/agreement/": 14,
    "/situation/": 12,
    "/situation/{report}/": 12,
    "/situation/?unaddressed=1": 12,
    "/indicators/": 7,
    "/indicators/{indicator}/": 10,
    "/indicators/{indicator}/values/new/": 8,
    "/promises/": 8,
    "/promises/{promise}/": 8,
    "/measures/?flag=no_problem": 11,
    "/measures/new/": 12,
}


@pytest.mark.parametrize(("template", "expected"), list(PINNED.items()))
def test_the_chains_pages_run_the_same_number_of_queries_at_5_and_100_measures(
    client,
    officer,
    jordbro,
    make_measure,
    make_update,
    chain,
    django_assert_num_queries,
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
        assert client.get(path).status_code == 200  # warms any per-process cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], "the number of queries grows with the number of measures"
    with django_assert_num_queries(expected):
        client.get(path)
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

    linked = make_measure(title="Med kopplingar")
    linked.problems.add(chain["problem"], chain["lonely"])
    linked.indicators.add(chain["indicator"])
    linked.promises.add(chain["promise"])
    with django_assert_num_queries(len(plain_queries)):
        client.get(f"/measures/{linked.pk}/")
