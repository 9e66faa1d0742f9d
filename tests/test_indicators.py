"""Indicators of effect: the verdict, the rules of their values, /indicators/,
an indicator's page with its chart, and entering a value in a few seconds."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agreement.models import Indicator, IndicatorValue
from tests.forms import edit_data
from tests.html_forms import browser_post_data
from tests.listing import listed_titles

D = datetime.date
V = Indicator.Verdict


def text(response):
    return html.unescape(response.content.decode())


def chunk(content, start, end):
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


def field_error(response, name):
    match = re.search(rf'<p class="field__error" id="id_{name}_error">([^<]*)</p>', text(response))
    return match.group(1) if match else ""


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


# --- The verdict


def _indicator(direction, baseline, target):
    return Indicator(
        direction=direction, baseline_value=Decimal(baseline), target_value=Decimal(target)
    )


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("85", V.REACHED),  # at the target
        ("87.5", V.REACHED),  # past it
        ("83", V.TOWARDS),  # short of it, on the better side
        ("79.3", V.TOWARDS),  # exactly a twentieth of the way
        ("79.2", V.UNCHANGED),  # less than a twentieth better
        ("79", V.UNCHANGED),  # at the baseline
        ("78.8", V.UNCHANGED),  # less than a twentieth worse
        ("77", V.AWAY),  # worse than the baseline
        (None, V.NO_VALUE),
    ],
)
def test_the_verdict_of_an_indicator_where_higher_is_better(value, verdict):
    """Share of pupils who feel safe at school: 79 % → 85 %."""
    indicator = _indicator("increase", "79", "85")
    assert indicator.verdict(None if value is None else Decimal(value)) == verdict


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("25", V.REACHED),  # at the target
        ("23.1", V.REACHED),  # past it
        ("28", V.TOWARDS),  # short of it, on the better side
        ("30.8", V.UNCHANGED),
        ("31", V.UNCHANGED),
        ("33", V.AWAY),
        (None, V.NO_VALUE),
    ],
)
def test_the_verdict_of_an_indicator_where_lower_is_better(value, verdict):
    """Share who feel unsafe in their area: 31 % → 25 %."""
    indicator = _indicator("decrease", "31", "25")
    assert indicator.verdict(None if value is None else Decimal(value)) == verdict


@pytest.mark.parametrize(
    ("direction", "value", "verdict"),
    [
        ("increase", "90", V.REACHED),
        ("increase", "91", V.REACHED),
        ("increase", "89.9", V.AWAY),
        ("decrease", "12", V.REACHED),
        ("decrease", "12.5", V.AWAY),
    ],
)
def test_a_target_at_the_baseline_is_keeping_the_level(direction, value, verdict):
    baseline = "90" if direction == "increase" else "12"
    indicator = _indicator(direction, baseline, baseline)
    assert indicator.verdict(Decimal(value)) == verdict


def test_the_share_of_the_way_is_signed_and_rounded():
    indicator = _indicator("decrease", "31", "25")
    assert indicator.share_of_way(Decimal("28")) == 50
    assert indicator.share_of_way(Decimal("33")) == -33
    assert indicator.share_of_way(Decimal("22")) == 150


def test_the_verdict_takes_the_newest_value_since_the_baseline(make_indicator, make_value):
    indicator = make_indicator()
    make_value(indicator, D(2023, 10, 15), "20")  # before the baseline: not counted
    assert Indicator.objects.with_latest().get(pk=indicator.pk).verdict() == V.NO_VALUE
    make_value(indicator, D(2025, 10, 15), "28")
    make_value(indicator, D(2026, 10, 15), "32")
    latest = Indicator.objects.with_latest().get(pk=indicator.pk)
    assert (latest.latest_value, latest.latest_on) == (Decimal("32"), D(2026, 10, 15))
    assert latest.verdict() == V.AWAY
    then = Indicator.objects.with_latest(until=D(2026, 6, 30)).get(pk=indicator.pk)
    assert then.verdict() == V.TOWARDS


# --- Rules in the database


def _raises_integrity(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize(
    "fields",
    [
        {"baseline_value": Decimal("101")},
        {"target_value": Decimal("-1"), "direction": "decrease"},
        {"baseline_on": D(2027, 11, 1), "target_on": D(2027, 10, 15)},
        {"target_value": Decimal("35")},  # lower is better, target above the baseline
        {"unit": "litres"},
        {"direction": "sideways"},
    ],
    ids=["percent-101", "percent-minus", "baseline-after-target", "target-worse", "unit", "dir"],
)
def test_the_database_refuses_an_indicator_against_the_rules(make_indicator, fields):
    _raises_integrity(lambda: make_indicator(**fields))


def test_the_database_keeps_one_value_per_day(indicator, make_value):
    make_value(indicator, D(2025, 10, 15), "29")
    _raises_integrity(lambda: make_value(indicator, D(2025, 10, 15), "28"))


# --- Entering a value


def value_path(indicator):
    return f"/indicators/{indicator.pk}/values/new/"


def value_data(**changes):
    data = {
        "measured_on": timezone.localdate().isoformat(),
        "value": "27,5",
        "comment": "Trygghetsmätningen hösten 2026.",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["officer", "liaison", "admin"])
def test_both_roles_enter_a_value(client, request, indicator, role):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.post(value_path(indicator), value_data())

    assert response.status_code == 302
    assert response["Location"] == f"/indicators/{indicator.pk}/"
    value = IndicatorValue.objects.get()
    assert (value.value, value.measured_on, value.entered_by) == (
        Decimal("27.5"),
        timezone.localdate(),
        user,
    )
    assert value.history.get().history_user == user
    page = text(client.get(response["Location"]))
    assert f"Värdet för {timezone.localdate().isoformat()} sparades." in page


def test_the_form_is_short_and_starts_at_today(as_officer, indicator, make_value):
    make_value(indicator, D(2025, 10, 15), "29.4")

    content = text(as_officer.get(value_path(indicator)))

    form = chunk(content, '<form method="post" class="form"', "</form>")
    names = sorted(set(re.findall(r'name="([a-z_]+)"', form)))
    assert names == ["comment", "csrfmiddlewaretoken", "measured_on", "value"]
    assert f'value="{timezone.localdate().isoformat()}"' in form
    assert "Senaste värde 29,4\u00a0% (2025-10-15)." in content
    assert "I procent, 0–100, t.ex. 27,5." in form


def test_the_indicator_page_links_to_the_form(as_officer, indicator):
    content = text(as_officer.get(f"/indicators/{indicator.pk}/"))
    assert f'<a class="button" href="{value_path(indicator)}">För in ett värde</a>' in content


@pytest.mark.parametrize("value", ["101", "-1", "100,01"])
def test_a_percentage_outside_0_to_100_is_refused(as_officer, indicator, value):
    response = as_officer.post(value_path(indicator), value_data(value=value))

    assert response.status_code == 200
    assert field_error(response, "value") == "En procentsats ligger mellan 0 och 100."
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("value", ["0", "100"])
def test_a_percentage_may_be_0_or_100(as_officer, indicator, value):
    assert as_officer.post(value_path(indicator), value_data(value=value)).status_code == 302


def test_a_count_may_pass_100(as_officer, make_indicator):
    burglaries = make_indicator(
        unit="count", baseline_value=Decimal("182"), target_value=Decimal("150")
    )
    response = as_officer.post(value_path(burglaries), value_data(value="164"))
    assert response.status_code == 302


def test_a_value_dated_in_the_future_is_refused(as_officer, indicator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = as_officer.post(value_path(indicator), value_data(measured_on=tomorrow.isoformat()))

    assert response.status_code == 200
    assert field_error(response, "measured_on") == "Dagen som mättes kan inte ligga i framtiden."
    assert not IndicatorValue.objects.exists()


def test_a_second_value_on_the_same_day_is_refused(as_officer, indicator, make_value):
    make_value(indicator, D(2025, 10, 15), "29.4")

    response = as_officer.post(value_path(indicator), value_data(measured_on="2025-10-15"))

    assert response.status_code == 200
    assert field_error(response, "measured_on") == (
        "Ett värde för 2025-10-15 är redan infört (29,4). Ett värde per dag: välj en annan "
        "dag, eller be en administratör rätta det värdet."
    )
    assert IndicatorValue.objects.get().value == Decimal("29.4")


def test_two_people_entering_the_same_day_at_once_get_a_message(
    as_officer, indicator, make_value, monkeypatch
):
    """The form's check passes for both; the database keeps the first."""
    original = IndicatorValue.clean

    def clean_then_someone_else_saves(self):
        original(self)
        make_value(indicator, D(2025, 10, 15), "30")

    monkeypatch.setattr(IndicatorValue, "clean", clean_then_someone_else_saves)

    response = as_officer.post(value_path(indicator), value_data(measured_on="2025-10-15"))

    assert response.status_code == 200
    assert "av någon annan för en stund sedan" in field_error(response, "measured_on")
    assert IndicatorValue.objects.get().value == Decimal("30")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comment", "Uppgift från 850709-9805", "personnummer"),
        ("value", "tjugo", "Fyll i ett tal."),
        ("value", "27,555", "Säkerställ att det inte är mer än 2 decimaler."),
        ("measured_on", "2025-13-01", "Fyll i ett giltigt datum."),
    ],
)
def test_bad_input_gets_a_swedish_message_next_to_the_field(
    as_officer, indicator, field, value, message
):
    response = as_officer.post(value_path(indicator), value_data(**{field: value}))

    assert response.status_code == 200
    assert message in field_error(response, field)
    assert not IndicatorValue.objects.exists()


def test_values_need_the_permission(client, outsider, indicator):
    assert client.post(value_path(indicator), value_data()).status_code == 302
    client.force_login(outsider)
    assert client.post(value_path(indicator), value_data()).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_another_agreements_indicator_is_not_found(as_officer, make_indicator, other_agreement):
    other = make_indicator(agreement=other_agreement, target_on=D(2026, 1, 31))
    assert as_officer.get(f"/indicators/{other.pk}/").status_code == 404
    assert as_officer.post(value_path(other), value_data()).status_code == 404
    assert as_officer.get("/indicators/999999/").status_code == 404


# --- The pages


@pytest.fixture
def measured(indicator, make_value, make_measure, make_update):
    """Four yearly values of the unsafe share, 31 % → 25 %: 32,1 the year
    before the baseline, then 31, 29,4 and 28 (towards the target)."""
    for day, value in [
        (D(2023, 10, 15), "32.1"),
        (D(2024, 10, 15), "31"),
        (D(2025, 10, 15), "29.4"),
        (D(2026, 10, 15), "28"),
    ]:
        make_value(indicator, day, value, comment="Trygghetsmätningen.")
    walk = make_measure(title="Nattvandring i Jordbro centrum")
    walk.indicators.add(indicator)
    make_update(walk, reported_on=D(2026, 3, 1), assessment="red")
    return walk


def test_the_list_shows_each_indicator_against_baseline_and_target(as_officer, indicator, measured):
    content = text(as_officer.get("/indicators/"))

    row = chunk(content, f'<a href="/indicators/{indicator.pk}/">{indicator.title}</a>', "</tr>")
    assert "31\u00a0%" in row and "2024-10-15" in row
    assert "25\u00a0%" in row and "senast 2027-10-15" in row
    assert "28\u00a0%" in row and "2026-10-15" in row
    assert '<span class="verdict verdict--towards">' in row
    assert "Mot målet" in row and "50 % av vägen" in row
    assert '<td class="num">1</td>' in row


def test_a_move_away_is_shown_with_a_minus_sign(as_officer, indicator, make_value):
    make_value(indicator, D(2025, 10, 15), "33")

    content = text(as_officer.get("/indicators/"))

    row = chunk(content, f'<a href="/indicators/{indicator.pk}/">', "</tr>")
    assert "Från målet" in row and "\u221233 % av vägen" in row


def test_the_indicator_page_draws_a_chart_with_a_table(as_officer, indicator, measured):
    content = text(as_officer.get(f"/indicators/{indicator.pk}/"))

    svg = chunk(content, '<svg class="chart chart--line"', "</svg>")
    assert 'role="img"' in svg
    assert "Utgångsvärde 31\u00a0% den 2024-10-15, mål 25\u00a0% senast 2027-10-15." in svg
    assert "det senaste, 28\u00a0% den 2026-10-15: mot målet." in svg
    assert '<text class="axis-title" x="8" y="26">Procent</text>' in svg
    assert svg.count('<circle class="series-point"') == 4
    assert '<polyline class="series"' in svg
    assert 'class="baseline-line"' in svg and 'class="target-line"' in svg
    assert 'class="today"' in svg and ">I dag</text>" in svg
    years = re.findall(r'text-anchor="middle">(\d{4})</text>', svg)
    assert years == ["2024", "2025", "2026", "2027"]
    # Neither inline style nor script: the Content-Security-Policy forbids both.
    assert "style=" not in content
    scripts = re.findall(r"<script[^>]*>", content)
    assert scripts and all(" src=" in tag for tag in scripts)
    legend = chunk(content, '<ul class="legend">', "</ul>")
    assert "Utgångsvärde 31\u00a0% (2024-10-15)" in legend
    assert "Mål 25\u00a0% senast 2027-10-15" in legend

    table = chunk(content, 'id="values-caption"', "</table>")
    days = re.findall(r'<td class="nowrap">(\d{4}-\d{2}-\d{2})', table)
    assert days == ["2026-10-15", "2025-10-15", "2024-10-15", "2023-10-15"]
    assert "\u22121,4" in table  # 29,4 → 28
    assert "(före utgångsvärdet)" in table

    measures = chunk(content, 'id="measures-heading"', "</section>")
    assert f'<a href="/measures/{measured.pk}/">{measured.title}</a>' in measures
    assert "Röd: avviker från plan" in measures


@pytest.mark.parametrize(
    ("fields", "values"),
    [
        ({"unit": "count", "baseline_value": 0, "target_value": 0}, ["0"]),
        ({"baseline_value": 100, "target_value": 100, "direction": "increase"}, ["100"]),
        ({"unit": "index", "baseline_value": -5, "target_value": 5, "direction": "increase"}, []),
        ({"baseline_value": 31, "target_value": 25}, ["31", "31", "30.99"]),
    ],
    ids=["all-zero", "all-hundred-percent", "negative-index", "flat"],
)
def test_the_chart_draws_whatever_the_values(
    as_officer, make_indicator, make_value, fields, values
):
    indicator = make_indicator(**fields)
    for year, value in zip((2024, 2025, 2026), values, strict=False):
        make_value(indicator, D(year, 10, 15), value)

    response = as_officer.get(f"/indicators/{indicator.pk}/")

    assert response.status_code == 200
    svg = chunk(text(response), '<svg class="chart chart--line"', "</svg>")
    assert svg.count('<circle class="series-point"') == len(values)
    assert ('<polyline class="series"' in svg) is (len(values) > 1)
    ticks = re.findall(r'dominant-baseline="middle">([^<]+)</text>', svg)
    assert len(ticks) >= 2


def test_an_indicator_without_values(as_officer, indicator):
    content = text(as_officer.get(f"/indicators/{indicator.pk}/"))
    assert "Inget värde sedan utgångsvärdet" in content
    assert "Inget värde har förts in ännu." in content


def test_a_measures_indicators_are_on_its_page(as_officer, indicator, measured):
    content = text(as_officer.get(f"/measures/{measured.pk}/"))

    effect = chunk(content, 'id="effect-heading"', "</section>")
    assert f'<a href="/indicators/{indicator.pk}/">{indicator.title}</a>' in effect
    assert "Mot målet" in effect


def test_a_focus_areas_indicators_are_on_its_page(as_officer, make_indicator, focus_area):
    mine = make_indicator(title="Andel elever som känner sig trygga", focus_area=focus_area)
    make_indicator(title="Anmälda brott per 1 000 invånare")

    content = text(as_officer.get(f"/focus-areas/{focus_area.slug}/"))

    indicators = chunk(content, 'id="indicators-heading"', "</section>")
    assert f'<a href="/indicators/{mine.pk}/">{mine.title}</a>' in indicators
    assert "Anmälda brott" not in indicators


@pytest.mark.parametrize("path", ["/indicators/", "/indicators/{pk}/"])
def test_the_indicator_pages_need_a_role(client, outsider, indicator, path):
    path = path.format(pk=indicator.pk)
    client.force_login(outsider)
    assert client.get(path).status_code == 403


def test_a_rate_is_shown_per_1000_inhabitants(as_officer, make_indicator, make_value):
    rate = make_indicator(
        unit="rate",
        source="reported_crime",
        baseline_value=Decimal("104.2"),
        target_value=Decimal("96"),
    )
    make_value(rate, D(2026, 9, 30), "1204.5")

    content = text(as_officer.get("/indicators/"))

    assert "1\u00a0204,5 per 1\u00a0000 invånare" in content
    assert "104,2 per 1\u00a0000 invånare" in content


# --- The administration: the rules an administrator meets


def admin_change(client, indicator):
    url = reverse("admin:agreement_indicator_change", args=[indicator.pk])
    return url, browser_post_data(client.get(url).content.decode())


def test_the_unit_cannot_change_once_values_exist(client, admin, indicator, make_value):
    make_value(indicator, D(2025, 10, 15), "29.4")
    client.force_login(admin)
    url, data = admin_change(client, indicator)
    data["unit"] = ["count"]
    data["direction"] = ["increase"]

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Enheten kan inte ändras när värden är införda i den (hittills 1)." in errors["unit"][0]
    assert "Vilket håll som är bättre kan inte ändras" in errors["direction"][0]
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.direction) == ("percent", "decrease")


def test_the_unit_may_change_before_any_value(client, admin, indicator):
    client.force_login(admin)
    url, data = admin_change(client, indicator)
    data["unit"] = ["index"]

    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.unit == "index"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_on", "2028-01-01", "Måldagen måste ligga inom överenskommelsens giltighetstid"),
        ("target_on", "2025-02-10", "Måldagen måste ligga inom överenskommelsens giltighetstid"),
        ("baseline_value", "101", "En procentsats ligger mellan 0 och 100."),
        ("target_value", "33", "Lägre är bättre, så målet kan inte vara högre"),
        ("title", "Enkät 850709-9805", "personnummer"),
        ("description", "Svar från 850709-9805", "personnummer"),
    ],
)
def test_the_admin_refuses_an_indicator_against_the_rules(
    client, admin, indicator, field, value, message
):
    client.force_login(admin)
    url, data = admin_change(client, indicator)
    data[field] = [value]

    response = client.post(url, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])


def test_the_baseline_may_precede_the_agreement(client, admin, indicator):
    client.force_login(admin)
    url, data = admin_change(client, indicator)
    data["baseline_on"] = ["2023-10-15"]

    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.baseline_on == D(2023, 10, 15)


def test_values_entered_in_the_admin_follow_the_rules_and_name_who(client, admin, indicator):
    client.force_login(admin)
    url, data = admin_change(client, indicator)
    data["values-0-measured_on"] = ["2025-10-15"]
    data["values-0-value"] = ["101"]

    response = client.post(url, data)

    assert response.status_code == 200
    assert not IndicatorValue.objects.exists()
    data["values-0-value"] = ["29,4"]
    assert client.post(url, data).status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.value, value.entered_by) == (Decimal("29.4"), admin)


def test_an_indicator_named_by_a_measure_is_not_deleted(client, admin, indicator, measure):
    measure.indicators.add(indicator)
    client.force_login(admin)

    response = client.get(reverse("admin:agreement_indicator_delete", args=[indicator.pk]))

    assert response.status_code == 200
    assert "Åtgärder anger den här indikatorn" in text(response)
    client.post(reverse("admin:agreement_indicator_delete", args=[indicator.pk]), {"post": "yes"})
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_a_measures_indicators_are_chosen_on_its_form(as_officer, measure, indicator):
    response = as_officer.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, indicators=[indicator.pk])
    )
    assert response.status_code == 302
    assert list(measure.indicators.all()) == [indicator]


# --- An indicator many measures name: the first ten, the count, and the list of all


@pytest.fixture
def twelve_name_it(indicator, make_measure):
    """Twelve live measures name the indicator; an archived one and one
    naming nothing are not among them."""
    measures = [make_measure(title=f"Insats {i:02d}") for i in range(1, 13)]
    # Linked from the last title to the first: the ten linked most recently,
    # which the pages show, are the first ten by title, as they are listed.
    for measure in reversed(measures):
        measure.indicators.add(indicator)
    # Linked last, yet archived: it takes none of the ten places.
    make_measure(title="Arkiverad insats", is_archived=True).indicators.add(indicator)
    make_measure(title="Insats utan indikator")
    return measures


def test_the_indicator_page_shows_ten_measures_and_links_to_all(
    as_officer, indicator, twelve_name_it
):
    content = text(as_officer.get(f"/indicators/{indicator.pk}/"))

    measures = chunk(content, 'id="measures-heading"', "</section>")
    assert '<span class="muted">(12)</span>' in measures
    shown = re.findall(r'<a href="/measures/(\d+)/">', measures)
    assert shown == [str(m.pk) for m in twelve_name_it[:10]]
    more = re.search(rf'<a href="/measures/\?indicator={indicator.pk}">([^<]*)</a>', measures)
    assert more and "12" in more.group(1)


def test_the_list_of_an_indicators_measures_shows_all_of_them_and_says_why(
    as_officer, indicator, twelve_name_it
):
    content = text(as_officer.get(f"/measures/?indicator={indicator.pk}&status=planned"))

    assert listed_titles(content) == [m.title for m in twelve_name_it]
    notice = chunk(content, '<p class="notice">', "</p>")
    assert f'<a href="/indicators/{indicator.pk}/">{indicator.title}</a>' in notice
    # Undoing it keeps the other filters.
    assert '<a href="/measures/?status=planned">' in notice


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_an_unreadable_indicator_filter_gets_a_swedish_message(as_officer, twelve_name_it, value):
    response = as_officer.get("/measures/", {"indicator": value})

    assert response.status_code == 200
    content = text(response)
    assert "Några filter kunde inte användas" in content
    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
    assert 'name="indicator"' not in content


def test_another_agreements_indicator_is_no_filter(
    as_officer, make_indicator, other_agreement, twelve_name_it
):
    other = make_indicator(agreement=other_agreement, target_on=D(2026, 1, 31))

    content = text(as_officer.get("/measures/", {"indicator": other.pk}))

    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
