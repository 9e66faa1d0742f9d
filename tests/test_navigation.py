"""The main navigation: the links a role has, the current one marked, in the
phone's menu and on a wide screen alike."""

import re

import pytest

from tests.conftest import client_for


def nav_links(response):
    content = response.content.decode()
    start = content.index('<nav class="site-nav site-wide"')
    nav = content[start : content.index("</nav>", start)]
    return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav)


def test_a_police_liaison_has_the_review_queue_and_no_administration(client, liaison):
    links = nav_links(client_for(client, liaison).get("/"))

    labels = [label for _url, _current, label in links]
    assert labels == [
        "Översikt",
        "Åtgärder",
        "Granskning",
        "Lägesbild",
        "Indikatorer",
        "Medborgarlöften",
        "Perioder",
        "Rapport",
        "Möten",
        "Överenskommelsen",
    ]


def test_municipal_staff_have_no_review_queue(client, officer):
    labels = [label for _u, _c, label in nav_links(client_for(client, officer).get("/"))]
    assert "Granskning" not in labels
    assert "Administration" not in labels


def test_an_administrator_also_has_the_administration(client, admin, officer):
    admin.groups.set(officer.groups.all())
    links = nav_links(client_for(client, admin).get("/"))
    assert links[-1] == ("/admin/", "", "Administration")


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "Översikt"),
        ("/measures/", "Åtgärder"),
        ("/situation/", "Lägesbild"),
        ("/indicators/", "Indikatorer"),
        ("/periods/", "Perioder"),
        ("/meetings/", "Möten"),
        ("/agreement/", "Överenskommelsen"),
    ],
)
def test_the_current_section_is_marked_once_in_each_menu(client, officer, agreement, path, current):
    response = client_for(client, officer).get(path)
    assert response.status_code == 200
    marked = [label for _url, mark, label in nav_links(response) if mark]
    assert marked == [current]
    assert response.content.decode().count('aria-current="page"') == 2  # the phone's menu too


def test_a_page_below_a_section_marks_its_section(client, officer, measure):
    response = client_for(client, officer).get("/periods/")
    period = re.search(r'href="(/periods/\d+/)"', response.content.decode()).group(1)
    marked = [label for _u, mark, label in nav_links(client.get(period)) if mark]
    assert marked == ["Perioder"]
