"""The administration of the law's chain: situation reports with their
problems, indicators with their values, citizen promises, and a measure's
links to them, in Swedish and with people by name."""

import datetime
import html

import pytest
from django.urls import reverse

from agreement.models import Problem, SituationReport
from measures.models import Measure
from tests.html_forms import browser_post_data
from tests.test_accounts import ENGLISH

D = datetime.date


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def test_the_chains_admin_pages_speak_swedish(
    as_admin, problem, indicator, make_value, promise, agreement
):
    value = make_value(indicator, D(2025, 10, 15), "29.4")
    pages = [
        ("situationreport", problem.situation_report_id),
        ("problem", problem.pk),
        ("indicator", indicator.pk),
        ("indicatorvalue", value.pk),
        ("citizenpromise", promise.pk),
        ("agreement", agreement.pk),
    ]
    for model, pk in pages:
        for url in (
            reverse(f"admin:agreement_{model}_changelist"),
            reverse(f"admin:agreement_{model}_add"),
            reverse(f"admin:agreement_{model}_change", args=[pk]),
            reverse(f"admin:agreement_{model}_history", args=[pk]),
        ):
            response = as_admin.get(url)
            assert response.status_code == 200, url
            found = [word for word in ENGLISH if word in text(response)]
            assert not found, (url, found)


def test_the_agreements_page_in_the_admin_holds_the_action_plans_decision(as_admin, agreement):
    content = text(as_admin.get(reverse("admin:agreement_agreement_change", args=[agreement.pk])))
    assert "Åtgärdsplan" in content
    assert 'name="plan_reference"' in content


def test_problems_are_entered_with_their_situation_report(as_admin, agreement, focus_area):
    url = reverse("admin:agreement_situationreport_add")
    data = browser_post_data(text(as_admin.get(url)))
    data.update(
        {
            "agreement": [agreement.pk],
            "title": ["Lägesbild 2026"],
            "prepared_on": ["2026-03-15"],
            "summary": ["Otryggheten har minskat i Handen."],
            "problems-TOTAL_FORMS": ["1"],
            "problems-0-title": ["Rån vid terminalen"],
            "problems-0-focus_area": [focus_area.pk],
        }
    )

    response = as_admin.post(url, data)

    assert response.status_code == 302
    report = SituationReport.objects.get(title="Lägesbild 2026")
    assert [p.title for p in report.problems.all()] == ["Rån vid terminalen"]


def test_a_problems_focus_area_is_of_the_reports_agreement(as_admin, problem, other_agreement):
    url = reverse("admin:agreement_problem_change", args=[problem.pk])
    data = browser_post_data(text(as_admin.get(url)))
    data["focus_area"] = [other_agreement.focus_areas.get().pk]

    response = as_admin.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["focus_area"]
    assert "Välj ett fokusområde i den överenskommelse som lägesbilden hör till." in errors


def test_a_problem_measures_address_is_not_deleted(as_admin, problem, measure):
    measure.problems.add(problem)
    url = reverse("admin:agreement_problem_delete", args=[problem.pk])

    content = text(as_admin.get(url))
    as_admin.post(url, {"post": "yes"})

    assert "Åtgärder hanterar det här problemet" in content
    assert Problem.objects.filter(pk=problem.pk).exists()


def test_a_situation_report_whose_problems_measures_address_is_kept(as_admin, problem, measure):
    measure.problems.add(problem)
    url = reverse("admin:agreement_situationreport_delete", args=[problem.situation_report_id])

    content = text(as_admin.get(url))
    as_admin.post(url, {"post": "yes"})

    assert "Åtgärder hanterar problem i den här lägesbilden" in content
    assert SituationReport.objects.filter(pk=problem.situation_report_id).exists()


def test_indicator_values_show_who_entered_them_by_name(as_admin, indicator, make_value, liaison):
    make_value(indicator, D(2025, 10, 15), "29.4", entered_by=liaison)

    content = text(as_admin.get(reverse("admin:agreement_indicatorvalue_changelist")))

    assert liaison.get_full_name() in content
    assert "29,40" in content or "29,4" in content


def test_a_measures_links_are_chosen_in_the_admin_and_kept_in_its_history(
    as_admin, measure, problem, indicator, promise
):
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = browser_post_data(text(as_admin.get(url)))
    data["problem_choices"] = [problem.pk]
    data["indicator_choices"] = [indicator.pk]
    data["promise_choices"] = [promise.pk]

    response = as_admin.post(url, data)

    assert response.status_code == 302
    measure = Measure.objects.get(pk=measure.pk)
    assert list(measure.problems.all()) == [problem]
    assert list(measure.indicators.all()) == [indicator]
    assert list(measure.promises.all()) == [promise]
    page = text(as_admin.get(f"/measures/{measure.pk}/"))
    assert f"<td>Problem</td><td><del>–</del></td><td><ins>{problem.title}</ins></td>" in page
    assert f"<td>Indikatorer</td><td><del>–</del></td><td><ins>{indicator.title}</ins></td>" in page


def test_the_admin_refuses_a_problem_of_another_agreement_on_a_measure(
    as_admin, measure, other_agreement
):
    report = SituationReport.objects.create(
        agreement=other_agreement,
        title="Lägesbild Nynäshamn",
        prepared_on=D(2025, 1, 10),
        summary="Nynäshamn.",
    )
    foreign = Problem.objects.create(situation_report=report, title="Stöld i hamnen")
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = browser_post_data(text(as_admin.get(url)))
    data["problem_choices"] = [foreign.pk]

    response = as_admin.post(url, data)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["problem_choices"])
    assert "”Stöld i hamnen” hör till en annan överenskommelse" in errors
    assert not measure.problems.exists()
