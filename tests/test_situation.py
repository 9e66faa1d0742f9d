"""The situation report (lägesbild) and its problems: /situation/, the measure
form's problems grouped by situation report, the history of a measure's
problems, and the softer flag of measures that name no problem."""

import datetime
import html
import re

import pytest

from agreement.models import Problem, SituationReport
from measures.models import Measure
from tests.forms import edit_data, new_data
from tests.listing import listed_titles


def text(response):
    return html.unescape(response.content.decode())


def chunk(content, start, end):
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


# --- /situation/


def test_the_latest_situation_report_shows_each_problem_with_its_measures(
    as_officer, problem, make_problem, make_measure, make_update, situation_report
):
    walk = make_measure(title="Nattvandring i Jordbro centrum")
    walk.problems.add(problem)
    make_update(walk, reported_on=datetime.date(2026, 3, 1), assessment="yellow")
    lonely = make_problem(title="Inbrott i villor i Vendelsö")
    archived = make_measure(title="Arkiverad vandring", is_archived=True)
    archived.problems.add(lonely)

    response = as_officer.get("/situation/")

    assert response.status_code == 200
    content = text(response)
    assert f"<h1>{situation_report.title}</h1>" in content
    assert "Lägesbild upprättad 2024-11-28" in content
    assert situation_report.summary in content
    addressed = chunk(content, f'id="problem-{problem.pk}"', "</article>")
    assert f'<a href="/measures/{walk.pk}/">Nattvandring i Jordbro centrum</a>' in addressed
    assert "Gul: risk för avvikelse" in addressed
    assert "Ingen åtgärd hanterar det" not in addressed
    # An archived measure addresses nothing any more.
    unaddressed = chunk(content, f'id="problem-{lonely.pk}"', "</article>")
    assert '<span class="chip chip--flag">Ingen åtgärd hanterar det</span>' in unaddressed
    assert "Arkiverad vandring" not in content


def test_only_the_problems_without_a_measure(as_officer, problem, make_problem, make_measure):
    make_measure().problems.add(problem)
    lonely = make_problem(title="Narkotikaförsäljning nära Handens station")

    content = text(as_officer.get("/situation/?unaddressed=1"))

    problems = chunk(content, 'id="problems-heading"', "</section>")
    assert "Problem som ingen åtgärd hanterar" in problems
    assert lonely.title in problems
    assert problem.title not in problems
    assert '<a href="?unaddressed=1" aria-current="true">1 utan åtgärd</a>' in problems


def test_the_newest_situation_report_is_the_one_shown(as_officer, situation_report, agreement):
    newer = SituationReport.objects.create(
        agreement=agreement,
        title="Uppdaterad lägesbild 2026",
        prepared_on=datetime.date(2026, 3, 15),
        summary="Uppdatering.",
    )

    latest = text(as_officer.get("/situation/"))
    older = text(as_officer.get(f"/situation/{situation_report.pk}/"))

    assert f"<h1>{newer.title}</h1>" in latest
    assert f"<h1>{situation_report.title}</h1>" in older
    assert 'href="/situation/">en nyare finns</a>' in older
    assert f'<a href="/situation/{situation_report.pk}/">{situation_report.title}</a>' in latest


def test_without_a_situation_report_the_page_says_so(as_officer, agreement):
    response = as_officer.get("/situation/")
    assert response.status_code == 200
    assert "Ingen lägesbild har förts in för överenskommelsen ännu." in text(response)


def test_another_agreements_situation_report_is_not_found(as_officer, foreign_problem):
    other = foreign_problem.situation_report.pk
    assert as_officer.get(f"/situation/{other}/").status_code == 404
    assert as_officer.get("/situation/999999/").status_code == 404


@pytest.mark.parametrize("path", ["/situation/", "/situation/{pk}/"])
def test_the_situation_report_needs_a_role(client, outsider, situation_report, path):
    path = path.format(pk=situation_report.pk)
    assert client.get(path).status_code == 302
    client.force_login(outsider)
    assert client.get(path).status_code == 403


def test_the_liaison_reads_the_situation_report(client, liaison, problem):
    client.force_login(liaison)
    assert problem.title in text(client.get("/situation/"))


# --- The measure form: problems grouped by situation report


def test_the_form_groups_the_agreements_problems_by_situation_report(
    as_officer, agreement, problem, foreign_problem
):
    newer = SituationReport.objects.create(
        agreement=agreement,
        title="Uppdaterad lägesbild 2026",
        prepared_on=datetime.date(2026, 3, 15),
        summary="Uppdatering.",
    )
    new_problem = Problem.objects.create(situation_report=newer, title="Rån vid terminalen")
    content = text(as_officer.get("/measures/new/"))

    choices = chunk(content, 'id="field-id_problems"', 'id="field-id_cause"')
    groups = re.findall(r'<fieldset class="problem-group">\s*<legend>(.*?) <span', choices)
    assert groups == ["Uppdaterad lägesbild 2026", "Lägesbild brott och trygghet 2024"]
    newest = chunk(choices, "Uppdaterad lägesbild 2026", "</fieldset>")
    assert f'value="{new_problem.pk}"' in newest and new_problem.title in newest
    assert f'value="{problem.pk}"' not in newest
    assert "Stöld i hamnen" not in content


def test_a_new_measure_names_the_problems_it_addresses(as_officer, focus_area, problem):
    response = as_officer.post("/measures/new/", new_data(focus_area, problems=[problem.pk]))

    assert response.status_code == 302
    measure = Measure.objects.get(title="Trygghetsvandring i Handen")
    assert list(measure.problems.all()) == [problem]


def test_a_problem_of_another_agreements_situation_report_is_refused(
    as_officer, focus_area, problem, foreign_problem
):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, problems=[problem.pk, foreign_problem.pk])
    )

    assert response.status_code == 200
    error = chunk(text(response), 'id="id_problems_error"', "</p>")
    assert (
        "”Stöld i hamnen” är ett problem i lägesbilden för en annan överenskommelse "
        "(Samverkansöverenskommelse Nynäshamn). Välj problem ur den här överenskommelsens "
        "lägesbild." in error
    )
    assert not Measure.objects.exists()


def test_editing_keeps_the_problems_and_their_history_is_shown_in_swedish(
    as_officer, measure, problem, make_problem
):
    other = make_problem(title="Rekrytering av unga till kriminella nätverk")
    response = as_officer.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, problems=[problem.pk, other.pk])
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert set(measure.problems.all()) == {problem, other}

    # Saved unchanged, nothing is written.
    versions = measure.history.count()
    response = as_officer.post(f"/measures/{measure.pk}/edit/", edit_data(measure))
    assert response.status_code == 302
    assert measure.history.count() == versions

    response = as_officer.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, problems=[other.pk])
    )
    assert response.status_code == 302
    content = text(as_officer.get(f"/measures/{measure.pk}/"))
    history = chunk(content, 'id="history-heading"', "</section>")
    rows = re.findall(
        r"<td>Problem</td><td><del>(.*?)</del></td><td><ins>(.*?)</ins></td>", history
    )
    assert rows == [
        (f"{other.title}, {problem.title}", other.title),
        ("–", f"{other.title}, {problem.title}"),
    ]


def test_the_measure_page_links_its_problems(as_officer, measure, problem):
    measure.problems.add(problem)

    content = text(as_officer.get(f"/measures/{measure.pk}/"))

    href = f"/situation/{problem.situation_report_id}/#problem-{problem.pk}"
    assert f'<a href="{href}">{problem.title}</a>' in content
    assert "Ej kopplad till lägesbilden" not in content


def test_the_measure_page_of_a_measure_without_a_problem_says_so(as_officer, measure):
    content = text(as_officer.get(f"/measures/{measure.pk}/"))
    assert '<span class="chip chip--neutral">Ej kopplad till lägesbilden</span>' in content


# --- The softer flag: measures that name no problem


@pytest.fixture
def linked_and_not(make_measure, problem, around_today):
    """Planned measures starting soon, with a contact person: no follow-up flag."""
    soon = {
        "start_date": around_today + datetime.timedelta(days=10),
        "end_date": around_today + datetime.timedelta(days=100),
    }
    linked = make_measure(title="Nattvandring med problem", **soon)
    linked.problems.add(problem)
    alone = make_measure(title="Hastighetskontroller utan problem", **soon)
    make_measure(title="Arkiverad utan problem", is_archived=True, **soon)
    return linked, alone


def test_the_list_filters_measures_without_a_problem(as_officer, linked_and_not):
    linked, alone = linked_and_not

    content = text(as_officer.get("/measures/?flag=no_problem"))

    assert f">{alone.title}</a>" in content
    assert linked.title not in content
    assert "Arkiverad utan problem" not in content
    assert "Det är ingen uppföljningsflagga" in content


def test_no_problem_is_a_neutral_chip_not_a_red_flag(as_officer, linked_and_not):
    linked, alone = linked_and_not

    content = text(as_officer.get("/measures/"))

    row = chunk(content, f">{alone.title}</a>", "</tr>")
    assert (
        '<li class="flag-chip flag-chip--no_problem" title="Ej kopplad till lägesbilden">'
        "Inget problem</li>"
    ) in row
    assert row.count('<li class="flag-chip') == 1  # no red flag beside it
    assert '<li class="flag-chip' not in chunk(content, f">{linked.title}</a>", "</tr>")


def test_no_problem_is_not_among_the_follow_up_flags(as_officer, linked_and_not):
    """`any` is any of the six flags; the overview counts none for a missing problem."""
    _linked, alone = linked_and_not

    listed = text(as_officer.get("/measures/?flag=any"))
    overview = text(as_officer.get("/"))

    assert alone.title not in listed
    assert "Ej kopplad till lägesbilden" not in overview


def test_the_export_takes_the_no_problem_filter(as_officer, linked_and_not):
    linked, alone = linked_and_not

    response = as_officer.get("/measures/export.csv?flag=no_problem")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert alone.title in body
    assert linked.title not in body


# --- A problem many measures address: the first ten, the count, and the list of all


@pytest.fixture
def twelve_on_a_problem(problem, make_measure):
    """Twelve live measures address the problem; an archived one and one
    addressing nothing are not among them."""
    measures = [make_measure(title=f"Insats {i:02d}") for i in range(1, 13)]
    # Linked from the last title to the first: the ten linked most recently,
    # which the pages show, are the first ten by title, as they are listed.
    for measure in reversed(measures):
        measure.problems.add(problem)
    # Linked last, yet archived: it takes none of the ten places.
    make_measure(title="Arkiverad insats", is_archived=True).problems.add(problem)
    make_measure(title="Insats utan problem")
    return measures


def test_a_problem_lists_ten_of_its_measures_and_links_to_all(
    as_officer, problem, twelve_on_a_problem
):
    content = text(as_officer.get("/situation/"))

    card = chunk(content, f'id="problem-{problem.pk}"', "</article>")
    shown = re.findall(r'<a href="/measures/(\d+)/">', card)
    assert shown == [str(m.pk) for m in twelve_on_a_problem[:10]]
    assert '<span class="chip chip--current">12 åtgärder</span>' in card
    more = re.search(rf'<a href="/measures/\?problem={problem.pk}">([^<]*)</a>', card)
    assert more and "12" in more.group(1)
    # The problem is addressed: the count of problems without a measure knows it.
    assert '<a href="?unaddressed=1">0 utan åtgärd</a>' in content

    for measure in twelve_on_a_problem[10:]:
        measure.problems.remove(problem)
    card = chunk(text(as_officer.get("/situation/")), f'id="problem-{problem.pk}"', "</article>")
    assert len(re.findall(r'<a href="/measures/\d+/">', card)) == 10
    assert "?problem=" not in card  # all are shown: no link to more


def test_the_list_of_a_problems_measures_shows_all_of_them_and_says_why(
    as_officer, problem, twelve_on_a_problem
):
    content = text(as_officer.get(f"/measures/?problem={problem.pk}"))

    assert listed_titles(content) == [m.title for m in twelve_on_a_problem]
    notice = chunk(content, '<p class="notice">', "</p>")
    href = f"/situation/{problem.situation_report_id}/#problem-{problem.pk}"
    assert f'<a href="{href}">{problem.title}</a>' in notice
    assert '<a href="/measures/">' in notice  # back to all measures
    # Other filters keep it: the form carries it along.
    assert f'<input type="hidden" name="problem" value="{problem.pk}" id="id_problem">' in content


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1.5"])
def test_an_unreadable_problem_filter_gets_a_swedish_message(
    as_officer, twelve_on_a_problem, value
):
    response = as_officer.get("/measures/", {"problem": value})

    assert response.status_code == 200
    content = text(response)
    assert "Några filter kunde inte användas" in content
    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
    # The summary links nowhere it cannot go, and the bad value is not carried on.
    for target in re.findall(r'<li><a href="#([\w-]+)">', content):
        assert f'id="{target}"' in content
    assert 'name="problem"' not in content


def test_another_agreements_problem_is_no_filter(as_officer, foreign_problem, twelve_on_a_problem):
    content = text(as_officer.get("/measures/", {"problem": foreign_problem.pk}))

    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
