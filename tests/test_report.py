"""/report/: the follow-up report a steering group reads in ten minutes
(issue 9, point 3). Page one is a summary, then the exceptions, then each
measure in one short row; the reports' text only on request.

The expected figures are worked out here from the measures the tests make.
"""

import datetime
import html
import re

import pytest

from agreement.models import FocusArea, ReportingPeriod
from followup.models import Decision, Meeting
from measures.models import Measure, ProgressUpdate, Review

D = datetime.date
S = Measure.Status
A = ProgressUpdate.Assessment


def text(response):
    return html.unescape(response.content.decode())


def chunk(content, start, end):
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


@pytest.fixture
def t1(agreement):
    return ReportingPeriod.objects.get(agreement=agreement, name="T1 2026")


@pytest.fixture
def report_measures(make_measure, make_update, agreement, liaison, officer):
    """Measures around T1 2026 (2026-01-01 – 2026-04-30)."""
    fa = {fa.slug: fa for fa in FocusArea.objects.filter(agreement=agreement)}
    public = fa["offentlig-miljo"]
    m = {
        "before": make_measure(
            title="Slutade före perioden", start_date=D(2025, 3, 1), end_date=D(2025, 12, 31)
        ),
        "red": make_measure(
            title="Röd vid periodens slut", start_date=D(2025, 6, 1), end_date=D(2027, 6, 30)
        ),
        "yellow": make_measure(
            title="Gul men rapporterad", start_date=D(2025, 6, 1), end_date=D(2027, 6, 30)
        ),
        "silent": make_measure(
            title="Har inte rapporterat",
            owner=None,
            start_date=D(2026, 2, 1),
            end_date=D(2026, 12, 31),
        ),
        "late": make_measure(
            title="Rapporterad efter perioden",
            start_date=D(2026, 1, 1),
            end_date=D(2026, 12, 31),
        ),
        "green": make_measure(
            title="Trygghetsvandring i Handen",
            start_date=D(2026, 2, 1),
            end_date=D(2026, 3, 31),
            focus_area=public,
        ),
        "done_before": make_measure(
            title="Klar före perioden", start_date=D(2025, 6, 1), end_date=D(2026, 12, 31)
        ),
        "after": make_measure(
            title="Börjar efter perioden", start_date=D(2026, 5, 1), end_date=D(2026, 9, 30)
        ),
        "archived": make_measure(
            title="Arkiverad under perioden",
            start_date=D(2026, 1, 1),
            end_date=D(2026, 3, 31),
            is_archived=True,
        ),
    }
    # In T3 2025 (compared with): red was green, yellow was yellow.
    make_update(m["red"], reported_on=D(2025, 12, 1), assessment=A.GREEN, summary="Före.")
    make_update(
        m["red"], reported_on=D(2026, 4, 2), assessment=A.RED, progress=10, summary="Inne röd."
    )
    make_update(m["yellow"], reported_on=D(2025, 11, 1), assessment=A.YELLOW)
    in_yellow = make_update(
        m["yellow"],
        reported_on=D(2026, 1, 15),
        assessment=A.YELLOW,
        progress=40,
        summary="Inne gul.",
    )
    Review.objects.create(
        progress_update=in_yellow, reviewer=liaison, verdict=Review.Verdict.APPROVED
    )
    make_update(
        m["green"],
        reported_on=D(2026, 3, 15),
        assessment=A.GREEN,
        progress=100,
        status=S.DONE,
        summary="Inne grön.",
    )
    make_update(m["late"], reported_on=D(2026, 5, 2), summary="Efter perioden.")
    make_update(m["done_before"], reported_on=D(2025, 12, 20), status=S.DONE, progress=100)
    make_update(m["archived"], reported_on=D(2026, 2, 1), summary="Arkiverad uppföljning.")
    # The measures stand where their newest reports say.
    for measure in Measure.objects.all():
        newest = measure.updates.newest_first().first()
        if newest:
            Measure.objects.filter(pk=measure.pk).update(status=newest.status)
    meeting = Meeting.objects.create(
        agreement=agreement, held_on=D(2026, 2, 1), title="Styrgrupp februari"
    )
    Decision.objects.create(
        meeting=meeting, text="Polisen redovisar anmälningarna.", due_on=D(2026, 4, 20)
    )
    Decision.objects.create(
        meeting=meeting, text="Klart beslut.", status="done", done_on=D(2026, 3, 1)
    )
    return m


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def get_report(client, **query):
    response = client.get("/report/", query)
    assert response.status_code == 200
    return text(response)


def test_the_report_of_a_period_lists_the_measures_running_in_it(as_officer, report_measures, t1):
    content = get_report(as_officer, period=t1.pk)
    assert "<h1>Uppföljningsrapport T1 2026</h1>" in content
    assert "Period: 2026-01-01 – 2026-04-30" in content
    assert "rapporter senast 2026-05-14" in content
    measures = content[content.index('id="measures-heading"') :]
    for key in ("red", "yellow", "silent", "late", "green", "done_before"):
        assert f">{report_measures[key].title}</a>" in measures, key
    for key in ("before", "after", "archived"):
        assert report_measures[key].title not in content, key


def test_page_one_counts_each_focus_area_by_assessment_and_status_at_the_periods_end(
    as_officer, report_measures, t1
):
    content = get_report(as_officer, period=t1.pk)
    summary = chunk(content, 'id="summary-heading"', 'id="exceptions-heading"')
    young = chunk(summary, '<th scope="row">Barn och unga</th>', "</tr>")
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', young, re.S)
    numbers = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    # Measures; green, yellow, red, none; planned, in progress, done, paused,
    # cancelled; reported of due. At T3 2025's end `red` was green; done
    # before the period, `done_before` owes no report.
    assert numbers == ["5", "1 (−1)", "1", "1 (+1)", "2", "2", "2", "1", "0", "0", "2 / 4"]
    assert "Inom parentes: ändringen sedan slutet av T3 2025 (2025-12-31)." in summary
    decisions = chunk(summary, 'id="decisions-heading"', "</section>")
    assert "Polisen redovisar anmälningarna." in decisions
    assert "Klart beslut." not in decisions


def test_the_exceptions_are_red_yellow_overdue_and_not_reported(as_officer, report_measures, t1):
    content = get_report(as_officer, period=t1.pk)
    exceptions = chunk(content, 'id="exceptions-heading"', 'id="measures-heading"')

    def reasons(key):
        row = chunk(exceptions, f">{report_measures[key].title}</a>", "</tr>")
        return re.findall(r'class="chip chip--([a-z_]+)"', row)

    assert reasons("red") == ["red"]
    assert reasons("yellow") == ["yellow"]
    assert reasons("silent") == ["not_reported"]
    assert reasons("late") == ["not_reported"]
    assert report_measures["green"].title not in exceptions
    assert report_measures["done_before"].title not in exceptions
    # Red first, then yellow, then what was not reported.
    order = [exceptions.index(report_measures[k].title) for k in ("red", "yellow", "silent")]
    assert order == sorted(order)


def test_each_measure_is_one_short_row_in_swedish(as_officer, report_measures, t1):
    content = get_report(as_officer, period=t1.pk)
    measures = content[content.index('id="measures-heading"') :]
    yellow = chunk(measures, f">{report_measures['yellow'].title}</a>", "</tr>")
    assert "Gul: risk för avvikelse" in yellow
    assert "Pågår" in yellow
    assert ">40</td>" in yellow
    silent = chunk(measures, f">{report_measures['silent'].title}</a>", "</tr>")
    assert "Ej bedömd" in silent and "Ej rapporterad" in silent
    assert "Saknar kontaktperson" in silent
    assert "Inne gul." not in content  # the reports' text only on request


def test_the_detail_shows_only_the_reports_inside_the_period(as_officer, report_measures, t1):
    content = get_report(as_officer, period=t1.pk, detail="1")
    yellow = chunk(content, f">{report_measures['yellow'].title}</a>", 'class="detail-row"')
    detail = chunk(content[content.index(yellow) :], 'class="detail-row"', "</tr>")
    assert "Inne gul." in detail
    assert "Godkänd" in detail
    assert "2026-01-15" in detail
    assert "Före." not in content
    assert "Efter perioden." not in content
    assert "Arkiverad uppföljning." not in content


def test_any_span_of_days_still_works_with_from_and_to(as_officer, report_measures):
    content = get_report(as_officer, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert "Period: 2026-02-01 – 2026-02-28" in content
    assert report_measures["green"].title in content
    assert report_measures["red"].title in content


def test_without_a_query_the_report_is_the_period_due_now(as_officer, agreement):
    from django.utils import timezone

    due = agreement.periods.for_reporting(timezone.localdate())
    content = get_report(as_officer)
    assert f"<h1>Uppföljningsrapport {due.name}</h1>" in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-03-31"}, "Fyll i ett giltigt datum."),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "Fyll i ett giltigt datum."),
        ({"from": "igår", "to": "2026-03-31"}, "Fyll i ett giltigt datum."),
        ({"from": "2026-01-01\x00", "to": "2026-03-31"}, "Fyll i ett giltigt datum."),
        ({"from": "2026-04-01", "to": "2026-03-31"}, "Perioden kan inte sluta innan den börjar."),
        ({"from": "", "to": "2026-03-31"}, "Ange första dagen, eller välj en period i stället."),
        ({"to": "2026-03-31"}, "Ange första dagen, eller välj en period i stället."),
        ({"period": "99999"}, "Välj ett giltigt alternativ."),
        ({"period": "x"}, "Välj ett giltigt alternativ."),
    ],
)
def test_a_bad_period_gets_a_swedish_message_not_an_error(
    as_officer, report_measures, query, message
):
    content = get_report(as_officer, **query)
    assert "Formuläret har" in content
    assert message in content
    assert 'id="summary-heading"' not in content


def test_a_period_of_another_agreement_is_refused(as_officer, agreement):
    from agreement.models import Agreement

    other = Agreement.objects.create(
        title="Äldre överenskommelse",
        slug="aldre",
        municipality="Haninge kommun",
        police_area="lokalpolisområde Haninge/Nynäshamn",
        signed_on=D(2020, 1, 1),
        valid_from=D(2020, 1, 1),
        valid_until=D(2020, 12, 31),
    )
    period = ReportingPeriod.objects.create(
        agreement=other,
        name="T1 2020",
        starts_on=D(2020, 1, 1),
        ends_on=D(2020, 4, 30),
        deadline=D(2020, 5, 14),
    )
    content = get_report(as_officer, period=period.pk)
    assert "Välj ett giltigt alternativ." in content


def test_the_report_needs_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get("/report/").status_code == 403
