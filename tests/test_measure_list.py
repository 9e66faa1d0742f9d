"""/measures/: filtering by the query string, sorting, pagination and bad input."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreement.models import FocusArea
from measures.models import Measure
from tests.listing import listed_titles


def titles(response):
    """The measures' titles in the list's table, in order."""
    assert response.status_code == 200
    return listed_titles(response.content.decode())


@pytest.fixture
def catalogue(make_measure, agreement, officer, liaison, jordbro):
    """Five measures that each differ from the rest in one filterable way."""
    offentlig_miljo = FocusArea.objects.get(agreement=agreement, slug="offentlig-miljo")
    return {
        "alfa": make_measure(
            title="Alfa nattvandring",
            description="Vuxna går i centrum.",
            cause="Oro på kvällarna.",
            start_date=datetime.date(2025, 3, 1),
            end_date=datetime.date(2025, 12, 31),
        ),
        "bravo": make_measure(
            title="Bravo belysning",
            description="Ny belysning längs gångvägen.",
            cause="Mörka passager.",
            focus_area=offentlig_miljo,
            status=Measure.Status.IN_PROGRESS,
            start_date=datetime.date(2025, 6, 1),
            end_date=datetime.date(2026, 6, 30),
            areas=[jordbro],
        ),
        "charlie": make_measure(
            title="Charlie trafikkontroll",
            description="Riktade kontroller av mopeder.",
            cause="Buskörning vid skolan.",
            responsible_party=Measure.Party.POLIS,
            owner=liaison,
            status=Measure.Status.DONE,
            start_date=datetime.date(2025, 9, 1),
            end_date=datetime.date(2027, 6, 30),
        ),
        "delta": make_measure(
            title="Delta föräldraträffar",
            description="Träffar med föräldrar om droger.",
            cause="Ökad narkotikaförsäljning i Vega.",
            owner=None,
            start_date=datetime.date(2025, 9, 1),
            end_date=datetime.date(2027, 12, 31),
        ),
        "echo": make_measure(
            title="Echo arkiverad åtgärd",
            description="Lades ned.",
            cause="Inget längre problem.",
            is_archived=True,
            start_date=datetime.date(2025, 3, 1),
            end_date=datetime.date(2025, 12, 31),
        ),
    }


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def test_without_filters_all_live_measures_are_listed_by_start_date(as_officer, catalogue):
    response = as_officer.get("/measures/")

    assert titles(response) == [
        "Alfa nattvandring",
        "Bravo belysning",
        "Charlie trafikkontroll",
        "Delta föräldraträffar",
    ]
    assert "4 åtgärder" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            lambda c: {"focus_area": c["bravo"].focus_area_id}, {"bravo"}, id="focus_area"
        ),
        pytest.param(lambda c: {"status": "in_progress"}, {"bravo"}, id="status"),
        pytest.param(lambda c: {"status": "done"}, {"charlie"}, id="status-done"),
        pytest.param(lambda c: {"responsible_party": "polis"}, {"charlie"}, id="responsible_party"),
        pytest.param(
            lambda c: {"responsible_party": "kommun"},
            {"alfa", "bravo", "delta"},
            id="responsible_party-kommun",
        ),
        pytest.param(lambda c: {"owner": c["charlie"].owner_id}, {"charlie"}, id="owner"),
        pytest.param(lambda c: {"areas": c["bravo"].areas.get().pk}, {"bravo"}, id="areas"),
        pytest.param(lambda c: {"flag": "no_owner"}, {"delta"}, id="flag"),
        pytest.param(
            lambda c: {"start_date_from": "2025-06-01"},
            {"bravo", "charlie", "delta"},
            id="start_date_from-inclusive",
        ),
        pytest.param(
            lambda c: {"start_date_to": "2025-06-01"}, {"alfa", "bravo"}, id="start_date_to"
        ),
        pytest.param(
            lambda c: {"start_date_from": "2025-06-01", "start_date_to": "2025-06-01"},
            {"bravo"},
            id="start_date-range",
        ),
        pytest.param(
            lambda c: {"end_date_from": "2027-06-30"}, {"charlie", "delta"}, id="end_date_from"
        ),
        pytest.param(
            lambda c: {"end_date_to": "2026-06-30"}, {"alfa", "bravo"}, id="end_date_to-inclusive"
        ),
        pytest.param(
            lambda c: {"end_date_from": "2026-01-01", "end_date_to": "2027-06-30"},
            {"bravo", "charlie"},
            id="end_date-range",
        ),
        pytest.param(lambda c: {"q": "belysning"}, {"bravo"}, id="q-title"),
        pytest.param(lambda c: {"q": "mopeder"}, {"charlie"}, id="q-description"),
        pytest.param(lambda c: {"q": "narkotikaförsäljning"}, {"delta"}, id="q-cause"),
        pytest.param(lambda c: {"q": "MOPEDER"}, {"charlie"}, id="q-any-case"),
        pytest.param(lambda c: {"q": "vuxna centrum"}, {"alfa"}, id="q-every-word"),
        pytest.param(lambda c: {"q": "vuxna mopeder"}, set(), id="q-no-match"),
        pytest.param(
            lambda c: {"status": "planned", "responsible_party": "kommun", "q": "föräldrar"},
            {"delta"},
            id="combined",
        ),
    ],
)
def test_filters(as_officer, catalogue, query, expected):
    response = as_officer.get("/measures/", query(catalogue))

    shown = set(titles(response))
    assert shown == {catalogue[key].title for key in expected}
    assert "Några filter kunde inte användas" not in response.content.decode()


def test_no_match_says_so_in_swedish(as_officer, catalogue):
    response = as_officer.get("/measures/", {"q": "finnsinte"})

    content = response.content.decode()
    assert "0 åtgärder" in content
    assert "Inga åtgärder matchar filtren." in content


def test_archived_measures_are_hidden_unless_asked_for(as_officer, catalogue):
    hidden = titles(as_officer.get("/measures/", {"q": "arkiverad"}))
    shown = as_officer.get("/measures/", {"q": "arkiverad", "archived": "1"})

    assert hidden == []
    assert titles(shown) == ["Echo arkiverad åtgärd"]
    assert "Arkiverad" in shown.content.decode()
    assert len(titles(as_officer.get("/measures/", {"archived": "1"}))) == 5


@pytest.mark.parametrize(
    ("o", "expected", "aria"),
    [
        pytest.param(
            "title",
            [
                "Alfa nattvandring",
                "Bravo belysning",
                "Charlie trafikkontroll",
                "Delta föräldraträffar",
            ],
            "ascending",
            id="title",
        ),
        pytest.param(
            "-title",
            [
                "Delta föräldraträffar",
                "Charlie trafikkontroll",
                "Bravo belysning",
                "Alfa nattvandring",
            ],
            "descending",
            id="-title",
        ),
        pytest.param(
            "-end_date",
            [
                "Delta föräldraträffar",
                "Charlie trafikkontroll",
                "Bravo belysning",
                "Alfa nattvandring",
            ],
            "descending",
            id="-end_date",
        ),
        pytest.param(
            "status",
            # Stored values sort alphabetically: done, in_progress, planned.
            [
                "Charlie trafikkontroll",
                "Bravo belysning",
                "Alfa nattvandring",
                "Delta föräldraträffar",
            ],
            "ascending",
            id="status",
        ),
    ],
)
def test_sorting_by_o(as_officer, catalogue, o, expected, aria):
    response = as_officer.get("/measures/", {"o": o})

    assert titles(response) == expected
    # The sorted column says so to screen readers, and its link flips the direction.
    column = o.lstrip("-")
    flipped = column if o.startswith("-") else f"-{column}"
    assert re.search(
        rf'<th scope="col"[^>]*aria-sort="{aria}"[^>]*>(?:(?!</th>).)*<a href="\?o={flipped}"',
        response.content.decode(),
        re.S,
    )


def test_sort_links_keep_the_filters(as_officer, catalogue):
    content = as_officer.get("/measures/", {"status": "planned", "o": "title"}).content.decode()

    assert 'href="?status=planned&amp;o=-title"' in content
    assert 'href="?status=planned&amp;o=end_date"' in content


@pytest.fixture
def thirty_in_progress(make_measure):
    for n in range(30):
        make_measure(title=f"Pågående {n:02d}", status=Measure.Status.IN_PROGRESS)
    for n in range(3):
        make_measure(title=f"Planerad {n}", status=Measure.Status.PLANNED)


def test_25_per_page_with_the_filters_kept_in_the_page_links(as_officer, thirty_in_progress):
    first = as_officer.get("/measures/", {"status": "in_progress", "o": "title"})

    content = first.content.decode()
    assert titles(first) == [f"Pågående {n:02d}" for n in range(25)]
    assert "30 åtgärder" in content
    assert "sida 1 av 2" in content
    assert 'href="?status=in_progress&amp;o=title&amp;page=2" rel="next"' in content

    second = as_officer.get("/measures/", {"status": "in_progress", "o": "title", "page": "2"})

    content = second.content.decode()
    assert titles(second) == [f"Pågående {n:02d}" for n in range(25, 30)]
    assert "sida 2 av 2" in content
    assert 'href="?status=in_progress&amp;o=title&amp;page=1" rel="prev"' in content
    # The page number is not carried into other links, such as the exports.
    assert 'href="/measures/export.csv?status=in_progress&amp;o=title"' in content


@pytest.mark.parametrize("page_number", ["abc", "0", "999", "-1"])
def test_a_bad_page_number_shows_a_page_rather_than_an_error(
    as_officer, thirty_in_progress, page_number
):
    response = as_officer.get("/measures/", {"page": page_number})

    assert response.status_code == 200
    assert len(titles(response)) in (25, 8)


def test_the_hit_count_is_singular_for_one_measure(as_officer, catalogue):
    content = as_officer.get("/measures/", {"status": "done"}).content.decode()

    assert re.search(r"<strong>1 åtgärd</strong>", content)


def test_my_measures_shortcut_filters_on_me(client, liaison, catalogue):
    client.force_login(liaison)
    mine_url = f"/measures/?owner={liaison.pk}"

    overview = client.get("/measures/").content.decode()
    assert f'<a href="{mine_url}">Mina åtgärder</a>' in overview

    response = client.get(mine_url)

    assert titles(response) == ["Charlie trafikkontroll"]
    assert f'<a href="{mine_url}" aria-current="true">Mina åtgärder</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(
            {"status": "bogus"},
            "Välj ett giltigt alternativ. bogus finns inte bland tillgängliga alternativ.",
            id="status",
        ),
        pytest.param(
            {"focus_area": "abc"},
            "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ.",
            id="focus_area",
        ),
        pytest.param(
            {"owner": "999999"},
            "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ.",
            id="owner",
        ),
        pytest.param(
            {"areas": "-1"},
            "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ.",
            id="areas",
        ),
        pytest.param(
            {"flag": "late"},
            "Välj ett giltigt alternativ. late finns inte bland tillgängliga alternativ.",
            id="flag",
        ),
        pytest.param({"start_date_from": "2025-13-45"}, "Fyll i ett giltigt datum.", id="date"),
        pytest.param({"end_date_to": "igår"}, "Fyll i ett giltigt datum.", id="date-words"),
        pytest.param(
            {"o": "password"},
            "Välj ett giltigt alternativ. password finns inte bland tillgängliga alternativ.",
            id="o",
        ),
        pytest.param({"q": "x" * 201}, "som mest 200 tecken", id="q-too-long"),
        pytest.param({"q": "natt\x00"}, "Null-tecken är inte tillåtna.", id="q-nul"),
    ],
)
def test_invalid_filter_values_get_a_swedish_message(as_officer, catalogue, query, message):
    response = as_officer.get("/measures/", query)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Några filter kunde inte användas" in content
    assert message in content
    # Each link of the error summary leads to an element on the page.
    for target in re.findall(r'<li><a href="#([\w-]+)">', content):
        assert f'id="{target}"' in content
    # Nothing is shown until the filter is corrected: an unfiltered list
    # would look filtered.
    assert titles(response) == []
    assert "Rätta filtren ovan för att se åtgärder." in content


def test_a_bad_sort_value_is_not_carried_into_the_next_filtering(as_officer, catalogue):
    content = as_officer.get("/measures/", {"o": "password"}).content.decode()

    assert 'name="o" value="password"' not in content


def test_a_good_sort_value_is_carried_into_the_next_filtering(as_officer, catalogue):
    content = as_officer.get("/measures/", {"o": "-end_date"}).content.decode()

    assert '<input type="hidden" name="o" value="-end_date">' in content


def test_query_count_does_not_grow_with_the_number_of_measures(
    client, officer, make_measure, django_assert_num_queries
):
    """The list runs a fixed number of queries: flags and the latest progress are
    annotations, focus areas and owners come with select_related, and only one
    page of 25 rows is read. Were a row to load anything on its own (an N+1),
    the 100-measure list would run more queries than the 5-measure one."""
    for _ in range(5):
        make_measure()
    client.force_login(officer)
    client.get("/measures/")  # warm caches that are filled once per process

    with CaptureQueriesContext(connection) as five:
        assert client.get("/measures/").status_code == 200
    five_count = len(five)  # read now: a later request empties the log

    for _ in range(95):
        make_measure()
    client.get("/measures/")  # the writes moved the data version: warm again
    with django_assert_num_queries(five_count):
        response = client.get("/measures/")
    assert len(titles(response)) == 25
