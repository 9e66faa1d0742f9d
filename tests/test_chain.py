"""The law's chain on one page, and Brå's three kinds of follow-up in the report.

/agreement/ shows the situation report's date, the action plan's decision,
the latest frozen minutes, the problems no measure addresses and the measures
that name no problem, each a link to the list that explains it. The report
follows production, process and effect, and a frozen meeting keeps all three.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from agreement.models import Problem, ReportingPeriod, SituationReport
from demo import data as demo
from followup.models import Meeting
from measures.models import Measure, Review

D = datetime.date


def text(response):
    return html.unescape(response.content.decode())


def chunk(content, start, end):
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


# --- /agreement/


def test_the_agreement_page_shows_the_chain(
    as_officer, agreement, problem, make_problem, make_measure, indicator, promise
):
    agreement.plan_decided_on = D(2025, 3, 17)
    agreement.plan_decided_by = "Kommunstyrelsen"
    agreement.plan_reference = "KS 2025/0143"
    agreement.save()
    make_measure(title="Med problem").problems.add(problem)
    make_measure(title="Utan problem")
    make_problem(title="Inbrott i Vendelsö")

    content = text(as_officer.get("/agreement/"))

    chain = chunk(content, 'id="chain-heading"', "</section>")
    assert "Upprättad 2024-11-28 · 2 problem" in chain
    assert (
        '<a class="chip chip--flag" href="/situation/?unaddressed=1">1 problem utan åtgärd</a>'
        in chain
    )
    assert "Beslutad 2025-03-17 av Kommunstyrelsen, diarienummer KS 2025/0143" in chain
    assert '<a href="/measures/">2 åtgärder</a>' in chain
    assert (
        '<a class="chip chip--neutral" href="/measures/?flag=no_problem">'
        "1 åtgärd utan koppling till problem</a>" in chain
    )
    assert '<a href="/indicators/">1 indikator</a>' in chain
    assert '<a href="/promises/">1 medborgarlöfte</a>' in chain
    assert "Inga mötesprotokoll har frysts ännu." in chain


def test_an_empty_chain_says_what_is_missing(as_officer, agreement):
    chain = chunk(text(as_officer.get("/agreement/")), 'id="chain-heading"', "</section>")
    assert "Ingen lägesbild har förts in ännu." in chain
    assert "Beslutet om åtgärdsplanen har inte förts in." in chain
    assert chain.count("chain-step--missing") == 4


@pytest.fixture
def demo_data(officer):
    """The demo data `make run` loads: 40 measures and the law's chain."""
    demo.seed(measures=40)


def test_the_demo_agreement_shows_every_element_of_the_chain_and_each_link_leads_somewhere(
    as_officer, demo_data
):
    content = text(as_officer.get("/agreement/"))
    chain = chunk(content, 'id="chain-heading"', "</section>")
    meeting = Meeting.objects.frozen().get()

    assert "Lägesbild brott och trygghet i Haninge 2024" in chain
    assert "Upprättad 2024-11-28 · 13 problem" in chain
    assert "Beslutad 2025-03-17 av Kommunstyrelsen, diarienummer KS 2025/0143" in chain
    assert f'<a href="/meetings/{meeting.pk}/">{meeting.title}</a>' in chain
    assert "2 problem utan åtgärd" in chain
    assert "4 åtgärder utan koppling till problem" in chain
    assert "chain-step--missing" not in chain

    # (link, what the page it leads to must list)
    expected = {
        "/situation/": lambda page: page.count('<article class="card problem') == 13,
        "/situation/?unaddressed=1": lambda page: (
            page.count('<article class="card problem problem--unaddressed"') == 2
            and "Narkotikaförsäljning nära Handens station" in page
            and "Inbrott i villor i Vendelsö" in page
        ),
        "/measures/": lambda page: "40 åtgärder" in page,
        "/measures/?flag=no_problem": lambda page: (
            "4 åtgärder" in page and "Gemensam lägesbild varannan vecka" in page
        ),
        "/indicators/": lambda page: page.count('<a href="/indicators/') >= 7,
        "/promises/": lambda page: page.count('<ul class="measure-links">') == 2,
        f"/meetings/{meeting.pk}/": lambda page: "Beslut" in page and meeting.title in page,
        "/meetings/": lambda page: meeting.title in page,
    }
    links = re.findall(r'href="([^"#]+)"', chain)
    assert set(links) == set(expected)
    for link in links:
        response = as_officer.get(link)
        assert response.status_code == 200, link
        assert expected[link](text(response)), link


def test_the_demo_data_builds_the_chain(demo_data, agreement):
    report = SituationReport.objects.get(agreement=agreement)
    problems = Problem.objects.filter(situation_report=report)
    assert problems.count() == 13
    assert problems.filter(measures__isnull=True).count() == 2
    live = Measure.objects.active().of_agreement(agreement)
    assert live.without_problem().count() == 4
    assert live.filter(problems__isnull=False).distinct().count() == 36
    indicators = agreement.indicators.with_latest()
    assert {i.verdict() for i in indicators} == {"reached", "towards", "unchanged", "away"}
    today = timezone.localdate()
    for indicator in indicators:
        indicator.full_clean()
        values = list(indicator.values.all())
        assert len(values) >= 3, indicator.title
        assert values[-1].measured_on >= today - datetime.timedelta(days=400)
        assert values[0].measured_on <= today - datetime.timedelta(days=700)
        for value in values:
            value.full_clean()
    # Three kinds of measure keep the promise for Jordbro, two the one for the elderly.
    assert sorted(p.measures.count() for p in agreement.promises.all()) == [4, 6]
    agreement.refresh_from_db()
    assert agreement.plan_reference == "KS 2025/0143"


# --- The report: production, process and effect


@pytest.fixture
def t1(agreement):
    return ReportingPeriod.objects.get(agreement=agreement, name="T1 2026")


@pytest.fixture
def followed(t1, make_measure, make_update, liaison, indicator, make_value, make_indicator):
    """In T1 2026 (2026-01-01 – 2026-04-30): one measure started and one
    finished; three updates, one approved and one sent back; values of two
    indicators before, in and after the period."""
    started = make_measure(title="Startade i perioden", start_date=D(2026, 2, 1))
    finished = make_measure(title="Klar i perioden", end_date=D(2026, 4, 30))
    make_measure(title="Löpande", start_date=D(2025, 3, 1))
    approved = make_update(started, reported_on=D(2026, 2, 15))
    sent_back = make_update(finished, reported_on=D(2026, 3, 1))
    make_update(finished, reported_on=D(2026, 4, 20), status="done", progress=100)
    make_update(started, reported_on=D(2026, 5, 20))  # after the period
    Review.objects.create(progress_update=approved, reviewer=liaison, verdict="approved")
    Review.objects.create(
        progress_update=sent_back, reviewer=liaison, verdict="needs_changes", comment="Mer."
    )
    make_value(indicator, D(2025, 10, 15), "28")  # towards 25 from 31
    make_value(indicator, D(2026, 10, 15), "33")  # after the period: away
    school = make_indicator(
        title="Andel elever som känner sig trygga i skolan",
        direction="increase",
        baseline_value=Decimal("79"),
        target_value=Decimal("85"),
        baseline_on=D(2024, 5, 31),
        target_on=D(2027, 5, 31),
    )
    make_value(school, D(2026, 3, 31), "86")
    return indicator, school


def test_page_one_sums_up_production_process_and_effect(as_officer, t1, followed):
    content = text(as_officer.get(f"/report/?period={t1.pk}"))

    summary = chunk(content, 'id="summary-heading"', 'id="exceptions-heading"')
    production = chunk(summary, 'id="production-heading"', "</section>")
    assert "Pågår under perioden: <strong>3</strong>" in production
    assert "Startade under perioden: <strong>1</strong>" in production
    assert "Avslutade under perioden: <strong>1</strong>" in production
    assert "Klara vid periodens slut: <strong>1</strong>" in production
    process = chunk(summary, 'id="process-heading"', "</section>")
    assert "Uppföljningar under perioden: <strong>3</strong>" in process
    assert "Godkända vid granskning: <strong>1</strong>" in process
    assert "Skickade tillbaka för ändring: <strong>1</strong>" in process
    effect = chunk(summary, 'id="effect-summary-heading"', "</section>")
    assert "Målet nått: <strong>1</strong>" in effect
    assert "Mot målet: <strong>1</strong>" in effect


def test_the_effect_part_uses_the_values_measured_by_the_periods_end(as_officer, t1, followed):
    unsafe, school = followed

    content = text(as_officer.get(f"/report/?period={t1.pk}"))

    effect = chunk(content, 'id="effect-heading"', "</section>")
    row = chunk(effect, f'<a href="/indicators/{unsafe.pk}/">', "</tr>")
    assert "31\u00a0%" in row and "25\u00a0%" in row
    assert "28\u00a0%" in row and "2025-10-15" in row
    assert "33\u00a0%" not in row
    assert "Mot målet" in row and "50 % av vägen" in row
    assert "Målet nått" in chunk(effect, f'<a href="/indicators/{school.pk}/">', "</tr>")


def test_a_frozen_meeting_keeps_its_effect_part(as_officer, t1, followed, agreement, make_value):
    unsafe, school = followed
    meeting = Meeting.objects.create(
        agreement=agreement, period=t1, held_on=D(2026, 5, 21), title="Styrgrupp T1"
    )
    assert as_officer.post(f"/meetings/{meeting.pk}/freeze/").status_code == 302
    meeting.refresh_from_db()
    frozen = {row["id"]: row["verdict"] for row in meeting.snapshot["effect"]}
    assert frozen == {unsafe.pk: "towards", school.pk: "reached"}

    # Later values change nothing in the frozen report.
    make_value(unsafe, D(2026, 4, 1), "35")
    content = text(as_officer.get(f"/meetings/{meeting.pk}/"))

    row = chunk(content, f'<a href="/indicators/{unsafe.pk}/">', "</tr>")
    assert "28\u00a0%" in row and "Mot målet" in row
    assert "Pågår under perioden: <strong>3</strong>" in content
    pdf = as_officer.get(f"/meetings/{meeting.pk}/report.pdf")
    assert pdf.status_code == 200


def test_a_meeting_frozen_before_the_three_kinds_still_shows(as_officer, t1, followed, agreement):
    meeting = Meeting.objects.create(
        agreement=agreement, period=t1, held_on=D(2026, 5, 21), title="Styrgrupp T1"
    )
    as_officer.post(f"/meetings/{meeting.pk}/freeze/")
    meeting.refresh_from_db()
    old = {k: v for k, v in meeting.snapshot.items() if k not in ("kinds", "effect")}
    Meeting.objects.filter(pk=meeting.pk).update(snapshot=old)

    response = as_officer.get(f"/meetings/{meeting.pk}/")

    assert response.status_code == 200
    content = text(response)
    assert 'id="summary-heading"' in content
    assert 'id="effect-heading"' not in content
    assert as_officer.get(f"/meetings/{meeting.pk}/report.pdf").status_code == 200
