"""Citizen promises (medborgarlöften): /promises/ and /promises/<id>/, with the
measures that keep each promise and their current assessment."""

import datetime
import html
import re

import pytest

from agreement.models import CitizenPromise
from tests.forms import edit_data
from tests.listing import listed_titles

D = datetime.date


def text(response):
    return html.unescape(response.content.decode())


def chunk(content, start, end):
    begin = content.index(start)
    return content[begin : content.index(end, begin)]


@pytest.fixture
def as_liaison(client, liaison):
    client.force_login(liaison)
    return client


@pytest.fixture
def kept(promise, make_measure, make_update):
    walk = make_measure(title="Nattvandring i Jordbro centrum")
    place = make_measure(title="Platssamverkan i Jordbro")
    make_measure(title="Arkiverad insats", is_archived=True).promises.add(promise)
    for measure in (walk, place):
        measure.promises.add(promise)
    make_update(walk, reported_on=D(2026, 3, 1), assessment="green")
    make_update(place, reported_on=D(2026, 3, 1), assessment="red")
    return walk, place


def test_the_list_shows_each_promise_with_the_measures_that_keep_it(as_liaison, promise, kept):
    walk, place = kept

    content = text(as_liaison.get("/promises/"))

    card = chunk(content, f'id="promise-{promise.pk}"', "</section>")
    assert f'<a href="/promises/{promise.pk}/">{promise.title}</a>' in card
    assert "Undertecknat 2026-01-29, gäller 2026-02-01 – 2026-12-31" in card
    assert "2 åtgärder håller det" in card
    assert f'<a href="/measures/{walk.pk}/">{walk.title}</a>' in card
    assert "Grön: enligt plan" in chunk(card, walk.title, "</li>")
    assert "Röd: avviker från plan" in chunk(card, place.title, "</li>")
    assert "Arkiverad insats" not in card


def test_a_promise_in_force_is_marked_so(as_liaison, promise, agreement):
    CitizenPromise.objects.create(
        agreement=agreement,
        title="Medborgarlöfte 2025",
        text="Fler vuxna ute.",
        signed_on=D(2025, 2, 1),
        valid_from=D(2025, 2, 1),
        valid_until=D(2025, 12, 31),
    )
    content = text(as_liaison.get("/promises/"))
    assert "Upphört" in chunk(content, "Medborgarlöfte 2025", "</section>")


def test_a_promise_page_counts_its_measures_by_assessment(as_liaison, promise, kept):
    walk, place = kept

    content = text(as_liaison.get(f"/promises/{promise.pk}/"))

    assert f"<h1>{promise.title}</h1>" in content
    assert promise.text in content
    measures = chunk(content, 'id="measures-heading"', "</section>")
    assert "2 åtgärder håller löftet" in measures
    assert f'<a href="/measures/{walk.pk}/">{walk.title}</a>' in measures
    assert f'<a href="/measures/{place.pk}/">{place.title}</a>' in measures
    red = chunk(measures, '<li class="assess assess--red">', "</li>")
    assert '<strong class="assess__count">1</strong>' in red
    assert "2026-03-01" in measures


def test_a_promise_without_measures(as_liaison, promise):
    content = text(as_liaison.get(f"/promises/{promise.pk}/"))
    assert "Ingen aktiv åtgärd är kopplad till löftet ännu." in content


def test_another_agreements_promise_is_not_found(as_liaison, foreign_promise):
    assert as_liaison.get(f"/promises/{foreign_promise.pk}/").status_code == 404
    assert as_liaison.get("/promises/999999/").status_code == 404


@pytest.mark.parametrize("path", ["/promises/", "/promises/{pk}/"])
def test_the_promise_pages_need_a_role(client, outsider, promise, path):
    client.force_login(outsider)
    assert client.get(path.format(pk=promise.pk)).status_code == 403


def test_a_measure_keeps_promises_chosen_on_its_form(client, officer, measure, promise):
    client.force_login(officer)

    response = client.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, promises=[promise.pk])
    )

    assert response.status_code == 302
    page = text(client.get(f"/measures/{measure.pk}/"))
    assert f'<a href="/promises/{promise.pk}/">{promise.title}</a>' in page


def test_a_promise_of_another_agreement_is_refused_on_the_form(
    client, officer, measure, foreign_promise
):
    client.force_login(officer)

    response = client.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, promises=[foreign_promise.pk])
    )

    assert response.status_code == 200
    assert "är ett medborgarlöfte i en annan överenskommelse" in text(response)
    assert not measure.promises.exists()


# --- A promise many measures keep: the first ten, the count, and the list of all


@pytest.fixture
def twelve_keep_it(promise, make_measure, make_update):
    """Twelve live measures keep the promise, the last two red; an archived
    one and one keeping nothing are not among them."""
    measures = [make_measure(title=f"Insats {i:02d}") for i in range(1, 13)]
    # Linked from the last title to the first: the ten linked most recently,
    # which the pages show, are the first ten by title, as they are listed.
    for measure in reversed(measures):
        measure.promises.add(promise)
    for measure in measures[10:]:
        make_update(measure, reported_on=D(2026, 3, 1), assessment="red")
    # Linked last, yet archived: it takes none of the ten places.
    make_measure(title="Arkiverad insats", is_archived=True).promises.add(promise)
    make_measure(title="Insats utan löfte")
    return measures


def test_the_list_shows_ten_measures_of_a_promise_and_links_to_all(
    as_liaison, promise, twelve_keep_it
):
    content = text(as_liaison.get("/promises/"))

    card = chunk(content, f'id="promise-{promise.pk}"', "</section>")
    shown = re.findall(r'<a href="/measures/(\d+)/">', card)
    assert shown == [str(m.pk) for m in twelve_keep_it[:10]]
    assert "12 åtgärder håller det" in card
    more = re.search(rf'<a href="/measures/\?promise={promise.pk}">([^<]*)</a>', card)
    assert more and "12" in more.group(1)


def test_a_promise_page_shows_ten_measures_and_counts_them_all(as_liaison, promise, twelve_keep_it):
    content = text(as_liaison.get(f"/promises/{promise.pk}/"))

    measures = chunk(content, 'id="measures-heading"', "</section>")
    assert "12 åtgärder håller löftet" in measures
    shown = re.findall(r'<a href="/measures/(\d+)/">', measures)
    assert shown == [str(m.pk) for m in twelve_keep_it[:10]]
    # The counts are of all twelve: the two red ones are not among the rows shown.
    red = chunk(measures, '<li class="assess assess--red">', "</li>")
    assert '<strong class="assess__count">2</strong>' in red
    unassessed = chunk(measures, '<li class="assess assess--none">', "</li>")
    assert '<strong class="assess__count">10</strong>' in unassessed
    more = re.search(rf'<a href="/measures/\?promise={promise.pk}">([^<]*)</a>', measures)
    assert more and "12" in more.group(1)


def test_the_list_of_a_promises_measures_shows_all_of_them_and_says_why(
    as_liaison, promise, twelve_keep_it
):
    content = text(as_liaison.get(f"/measures/?promise={promise.pk}"))

    assert listed_titles(content) == [m.title for m in twelve_keep_it]
    notice = chunk(content, '<p class="notice">', "</p>")
    assert f'<a href="/promises/{promise.pk}/">{promise.title}</a>' in notice
    assert '<a href="/measures/">' in notice


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_an_unreadable_promise_filter_gets_a_swedish_message(as_liaison, twelve_keep_it, value):
    response = as_liaison.get("/measures/", {"promise": value})

    assert response.status_code == 200
    content = text(response)
    assert "Några filter kunde inte användas" in content
    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
    assert 'name="promise"' not in content


def test_another_agreements_promise_is_no_filter(as_liaison, foreign_promise, twelve_keep_it):
    content = text(as_liaison.get("/measures/", {"promise": foreign_promise.pk}))

    assert "Välj ett giltigt alternativ." in content
    assert listed_titles(content) == []
