"""The follow-up pages run a constant number of queries, at 5 measures as at 100.

A query per measure, per period or per decision (a missing select_related, a
count in a loop) would make the figure grow. Each page is pinned twice: made
anew just after a write (the data version moved, so the role, the report and
the periods' counts are read again), and asked for again, with those from the
cache. Both include the user, read with the data version; the session comes
from the cache. A report made anew also reads its three kinds of follow-up
(production, process and effect: one query each).
"""

import datetime

import pytest
from django.utils import timezone

from agreement.models import ReportingPeriod
from followup.models import Decision, Meeting
from measures.models import Measure, Review
from tests.query_counts import made_anew_and_again

TODAY = timezone.localdate()


def populate(n, start, *, make_measure, make_update, officer, liaison, jordbro, meeting):
    statuses = list(Measure.Status)
    assessments = ["green", "yellow", "red"]
    for i in range(start, start + n):
        measure = make_measure(
            title=f"Åtgärd {i:03d}",
            owner=None if i % 7 == 3 else officer,
            status=statuses[i % 5],
            start_date=datetime.date(2025, 3, 1) + datetime.timedelta(days=i),
            end_date=datetime.date(2027, 6, 30) - datetime.timedelta(days=i),
            areas=[jordbro],
        )
        for day in (datetime.date(2026, 2, 1), datetime.date(2026, 9, 15)):
            update = make_update(
                measure,
                reported_on=day + datetime.timedelta(days=i % 20),
                assessment=assessments[i % 3],
            )
        if i % 2:
            Review.objects.create(progress_update=update, reviewer=liaison, verdict="approved")
        Decision.objects.create(
            meeting=meeting,
            text=f"Beslut {i}",
            owner=officer,
            due_on=TODAY - datetime.timedelta(days=1),
            measure=measure,
        )


# (made anew after a write, again with its cached parts)
PINNED = {
    "/report/?period={t1}": (17, 1),
    "/report/?period={t1}&detail=1": (19, 1),
    "/periods/": (8, 3),
    "/periods/{t1}/": (11, 3),
    "/meetings/": (7, 3),
    "/meetings/{frozen}/": (8, 3),
    "/meetings/{draft}/report.pdf": (15, 12),
    "/meetings/{frozen}/report.pdf": (5, 2),
}


@pytest.mark.parametrize(("template", "expected"), list(PINNED.items()))
def test_follow_up_pages_run_the_same_number_of_queries_at_5_and_100_measures(
    client,
    officer,
    liaison,
    jordbro,
    agreement,
    make_measure,
    make_update,
    template,
    expected,
):
    t1 = ReportingPeriod.objects.get(agreement=agreement, name="T1 2026")
    draft = Meeting.objects.create(agreement=agreement, period=t1, held_on=TODAY, title="Utkast")
    frozen = Meeting.objects.create(agreement=agreement, period=t1, held_on=TODAY, title="Fryst")
    path = template.format(t1=t1.pk, draft=draft.pk, frozen=frozen.pk)
    objects = {
        "make_measure": make_measure,
        "make_update": make_update,
        "officer": officer,
        "liaison": liaison,
        "jordbro": jordbro,
        "meeting": draft,
    }
    client.force_login(officer)
    counts = []
    for start, n in [(1, 5), (6, 95)]:
        populate(n, start, **objects)
        # The frozen meeting is frozen anew with everything made so far.
        Meeting.objects.filter(pk=frozen.pk).update(frozen_at=None, snapshot=None)
        assert client.post(f"/meetings/{frozen.pk}/freeze/").status_code == 302
        counts.append(made_anew_and_again(client, path))
    assert counts[0] == counts[1], "the number of queries grows with the number of measures"
    assert counts[1] == expected
    assert Measure.objects.count() == 100
