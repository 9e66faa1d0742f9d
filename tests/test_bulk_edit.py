"""/measures/bulk/: one change for several measures, confirmed, all or nothing."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from agreement.models import Area
from measures.models import Measure

PERIOD = "2025-02-11 – 2027-12-31"


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def three(make_measure, jordbro):
    return [
        make_measure(title="Alfa nattvandring", areas=[jordbro]),
        make_measure(title="Bravo belysning", responsible_unit="Tekniska förvaltningen"),
        make_measure(title="Charlie föräldraträffar", start_date=datetime.date(2026, 1, 1)),
    ]


def state():
    return {
        "measures": list(Measure.objects.order_by("pk").values()),
        "areas": sorted(Measure.areas.through.objects.values_list("measure_id", "area_id")),
        "history": Measure.history.count(),
    }


def bulk(client, measures=(), **data):
    data.setdefault("ids", [m.pk for m in measures])
    return client.post("/measures/bulk/", data)


def review_and_confirm(client, measures=(), **data):
    """Post the change, then confirm it as the confirmation page's form does."""
    review = bulk(client, measures, **data)
    assert review.status_code == 200
    content = review.content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', content)
    assert fingerprint, "no confirmation form on the page"
    return bulk(client, measures, **data, fingerprint=fingerprint[1], confirm="1")


def text(response):
    return html.unescape(response.content.decode())


# --- The list


def test_the_list_is_a_form_with_a_checkbox_per_measure_for_those_who_may(
    as_officer, three, django_assert_num_queries
):
    content = text(as_officer.get("/measures/", {"q": "a"}))

    form = content[content.index('<form method="post" action="/measures/bulk/"') :]
    form = form[: form.index("</form>")]
    for measure in three:
        assert (
            f'<input type="checkbox" name="ids" value="{measure.pk}" id="select-{measure.pk}">'
            f'<label for="select-{measure.pk}" class="visually-hidden">Välj ”{measure.title}”'
            in form
        )
    assert '<input type="hidden" name="filter" value="q=a">' in form
    assert "Alla filtrets 3 träffar, inte bara de förkryssade" in form
    assert '<select name="action"' in form
    for option in [
        "Byt kontaktperson",
        "Byt ansvarig enhet",
        "Ändra slutdatum",
        "Lägg till kommundel",
        "Arkivera",
        "Återställ från arkivet",
    ]:
        assert f">{option}</option>" in form
    for name in ("owner", "responsible_unit", "end_date", "area"):
        assert f'name="{name}"' in form
    assert '<button type="submit" class="button">Granska ändringen</button>' in form


def test_police_liaisons_see_no_checkboxes(client, liaison, three):
    client.force_login(liaison)
    content = client.get("/measures/").content.decode()
    assert "/measures/bulk/" not in content
    assert 'name="ids"' not in content


def test_the_list_with_checkboxes_runs_the_same_queries_for_5_and_100_measures(
    as_officer, make_measure, django_assert_num_queries
):
    """The bulk form adds two queries (its lists of people and districts) to
    the list, whatever the number of measures: the checkboxes need nothing
    more than the rows already read."""
    for _ in range(5):
        make_measure()
    as_officer.get("/measures/")
    with CaptureQueriesContext(connection) as five:
        assert as_officer.get("/measures/").status_code == 200
    five_count = len(five)  # read now: a later request empties the log
    for _ in range(95):
        make_measure()
    as_officer.get("/measures/")  # the writes moved the data version: warm again

    with django_assert_num_queries(five_count):
        content = as_officer.get("/measures/").content.decode()
    assert content.count('name="ids"') == 25


# --- The confirmation


def test_the_confirmation_says_how_many_change_and_what_and_saves_nothing(
    as_officer, three, other_officer
):
    before = state()

    response = bulk(as_officer, three[:2], action="set_owner", owner=other_officer.pk)

    assert response.status_code == 200
    content = text(response)
    assert '<h2 id="summary-heading">2 åtgärder ändras</h2>' in content
    assert f"Kontaktpersonen blir {other_officer.get_full_name()}." in content
    assert "Spara ändringen av 2 åtgärder" in content
    for measure in three[:2]:
        assert (
            f'<tr><th scope="row"><a href="/measures/{measure.pk}/">{measure.title}</a></th>'
            f"<td>{measure.owner.get_full_name()}</td><td>{other_officer.get_full_name()}</td></tr>"
        ) in content
    assert three[2].title not in content
    assert state() == before


def test_measures_already_so_are_counted_apart(as_officer, three, officer):
    response = bulk(as_officer, three, action="set_owner", owner=officer.pk)
    content = text(response)
    assert "Ingen åtgärd skulle ändras" in content
    assert "3 av de valda åtgärderna är redan så och lämnas som de är." in content
    assert 'name="confirm"' not in content


# --- Each action


def _newest(measure):
    return measure.history.order_by("-history_id").first()


@pytest.mark.parametrize(
    ("action", "value", "check", "reason"),
    [
        pytest.param(
            "set_owner",
            lambda users: {"owner": users["other"].pk},
            lambda m, users: m.owner == users["other"],
            "Massändring: ny kontaktperson",
            id="set_owner",
        ),
        pytest.param(
            "set_responsible_unit",
            lambda users: {"responsible_unit": "Socialförvaltningen"},
            lambda m, users: m.responsible_unit == "Socialförvaltningen",
            "Massändring: ny ansvarig enhet",
            id="set_responsible_unit",
        ),
        pytest.param(
            "set_end_date",
            lambda users: {"end_date": "2027-12-31"},
            lambda m, users: m.end_date == datetime.date(2027, 12, 31),
            "Massändring: nytt slutdatum",
            id="set_end_date",
        ),
        pytest.param(
            "add_area",
            lambda users: {"area": Area.objects.get(slug="vega").pk},
            lambda m, users: "vega" in {a.slug for a in m.areas.all()},
            "Massändring: kommundel tillagd",
            id="add_area",
        ),
        pytest.param(
            "archive",
            lambda users: {},
            lambda m, users: m.is_archived,
            "Massändring: arkiverad",
            id="archive",
        ),
    ],
)
def test_each_action_changes_every_chosen_measure_once_with_its_reason(
    as_officer, three, officer, other_officer, action, value, check, reason
):
    users = {"officer": officer, "other": other_officer}
    chosen, left = three[:2], three[2]
    history = {m.pk: m.history.count() for m in three}
    untouched = Measure.objects.filter(pk=left.pk).values().get()

    response = review_and_confirm(as_officer, chosen, action=action, **value(users))

    assert response.status_code == 302
    assert response["Location"] == "/measures/"
    assert "2 åtgärder har ändrats." in as_officer.get("/measures/").content.decode()
    for measure in chosen:
        measure.refresh_from_db()
        assert check(measure, users)
        assert measure.version == 2
        assert measure.updated_by == officer
        assert measure.history.count() == history[measure.pk] + 1
        newest = _newest(measure)
        assert (newest.history_type, newest.history_user) == ("~", officer)
        assert newest.history_change_reason == reason
    assert Measure.objects.filter(pk=left.pk).values().get() == untouched


def test_restoring_brings_archived_measures_back(as_officer, make_measure):
    archived = [make_measure(is_archived=True), make_measure(is_archived=True)]
    response = review_and_confirm(as_officer, archived, action="restore", filter="archived=1")
    assert response["Location"] == "/measures/?archived=1"
    for measure in archived:
        measure.refresh_from_db()
        assert not measure.is_archived
        assert _newest(measure).history_change_reason == "Massändring: återställd från arkivet"


def test_the_history_on_the_page_shows_the_bulk_change_and_its_reason(
    as_officer, three, other_officer
):
    review_and_confirm(
        as_officer, three[:1], action="add_area", area=Area.objects.get(slug="vega").pk
    )
    content = text(as_officer.get(f"/measures/{three[0].pk}/"))
    history = content[content.index("Ändringshistorik") :]
    assert (
        "<td>Kommundelar</td><td><del>Jordbro</del></td><td><ins>Jordbro, Vega</ins></td>"
        "<td>Massändring: kommundel tillagd</td>"
    ) in history


def test_a_bulk_change_keeps_the_measures_links_in_its_history(
    as_officer, three, problem, indicator, promise
):
    """The history entry a bulk change writes holds the measure's problems,
    indicators and promises as they are: the change log shows the one field
    that changed, not the links as removed."""
    measure = three[0]
    measure.problems.add(problem)
    measure.indicators.add(indicator)
    measure.promises.add(promise)
    measure._history_user = measure.owner
    measure.save()  # a history entry with the links, as the form writes it

    review_and_confirm(
        as_officer, [measure], action="set_responsible_unit", responsible_unit="Fritidsgården"
    )

    content = text(as_officer.get(f"/measures/{measure.pk}/"))
    history = content[content.index("Ändringshistorik") :]
    assert "<ins>Fritidsgården</ins>" in history
    for title in (problem.title, indicator.title, promise.title):
        assert f"<del>{title}</del>" not in history


def test_all_hits_of_the_filter_are_found_again_on_the_server(as_officer, three, make_measure):
    archived = make_measure(title="Alfa arkiverad", is_archived=True)
    history = Measure.history.count()

    # Nothing ticked: "all hits" of the list's filter, here those that start in 2025.
    response = review_and_confirm(
        as_officer,
        (),
        ids=[],
        all="1",
        filter="start_date_to=2025-12-31",
        action="set_responsible_unit",
        responsible_unit="Fritidsförvaltningen",
    )

    assert response["Location"] == "/measures/?start_date_to=2025-12-31"
    units = dict(Measure.objects.values_list("title", "responsible_unit"))
    assert units["Alfa nattvandring"] == "Fritidsförvaltningen"
    assert units["Bravo belysning"] == "Fritidsförvaltningen"
    # Not a hit: it starts in 2026; archived measures are not in the list's hits.
    assert units["Charlie föräldraträffar"] != "Fritidsförvaltningen"
    assert units[archived.title] != "Fritidsförvaltningen"
    assert Measure.history.count() == history + 2


def test_the_confirmation_for_all_hits_carries_the_filter_not_the_ids(as_officer, three):
    content = text(bulk(as_officer, (), ids=[], all="1", filter="q=alfa", action="archive"))
    assert "1 åtgärd ändras" in content
    assert '<input type="hidden" name="all" value="1">' in content
    assert '<input type="hidden" name="filter" value="q=alfa">' in content
    assert 'name="ids"' not in content


def test_a_generic_value_is_taken_for_the_chosen_action(as_officer, three):
    response = review_and_confirm(as_officer, three[:1], action="set_end_date", value="2027-06-30")
    assert response.status_code == 302
    three[0].refresh_from_db()
    assert three[0].end_date == datetime.date(2027, 6, 30)


# --- All or nothing


def test_one_measure_that_cannot_take_the_change_stops_it_for_all(as_officer, three):
    """The third starts 2026-01-01: an end date in 2025 is before its start."""
    before = state()

    response = bulk(as_officer, three, action="set_end_date", end_date="2025-12-31")

    content = text(response)
    assert "Ändringen kan inte göras på 1 åtgärd" in content
    assert (
        f'<a href="/measures/{three[2].pk}/">Charlie föräldraträffar</a>: '
        "Slutdatumet kan inte ligga före startdatumet."
    ) in content
    assert 'name="confirm"' not in content

    # Confirming anyway saves nothing.
    response = bulk(
        as_officer,
        three,
        action="set_end_date",
        end_date="2025-12-31",
        confirm="1",
        fingerprint="x",
    )
    assert response.status_code == 200
    assert state() == before


def test_an_end_date_outside_the_agreement_names_the_period(as_officer, three):
    content = text(bulk(as_officer, three, action="set_end_date", end_date="2028-01-31"))
    assert "Ändringen kan inte göras på 3 åtgärder" in content
    assert f"Datumet måste ligga inom överenskommelsens giltighetstid, {PERIOD}." in content


def test_archived_measures_must_be_restored_before_other_changes(as_officer, three, make_measure):
    archived = make_measure(title="Arkiverad", is_archived=True)
    content = text(
        bulk(as_officer, [three[0], archived], action="set_responsible_unit", responsible_unit="X")
    )
    assert "Arkiverad</a>: Åtgärden är arkiverad. Återställ den innan du ändrar den." in content


def test_a_change_saved_by_someone_else_after_the_review_is_not_overwritten(
    as_officer, three, other_officer
):
    review = bulk(as_officer, three[:2], action="set_responsible_unit", responsible_unit="X")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', review.content.decode())[1]
    Measure.objects.filter(pk=three[0].pk).update(
        version=F("version") + 1, responsible_unit="Kollegans enhet"
    )
    before = state()

    response = bulk(
        as_officer,
        three[:2],
        action="set_responsible_unit",
        responsible_unit="X",
        fingerprint=fingerprint,
        confirm="1",
    )

    assert response.status_code == 200
    assert state() == before
    content = text(response)
    assert "Någon annan ändrade några av åtgärderna efter att du granskade ändringen." in content
    assert "<td>Kollegans enhet</td><td>X</td>" in content


def test_the_versions_are_raised_in_the_database_or_not_at_all(three, officer):
    """Between reading the measures and writing them, a save by someone else
    makes the conditional UPDATE miss, and nothing of the change is kept."""
    from measures import services
    from measures.bulk import BulkChange

    measures = list(Measure.objects.filter(pk__in=[m.pk for m in three]).order_by("pk"))
    Measure.objects.filter(pk=three[1].pk).update(version=F("version") + 1)
    before = state()

    with pytest.raises(services.EditConflict):
        services.measures_bulk_edit(
            measures=measures,
            change=BulkChange("set_responsible_unit", "X"),
            by=officer,
            reason="test",
        )
    assert state() == before


# --- Input the change cannot be read from


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ids": [], "action": "archive"}, "Välj vilka åtgärder som ska ändras"),
        ({"action": ""}, "Välj vilken ändring som ska göras."),
        ({"action": "set_status", "status": "done"}, "Välj ett giltigt alternativ."),
        ({"action": "set_owner"}, "Ange det nya värdet för ändringen du valt."),
        ({"action": "set_end_date", "end_date": "31/12/2026"}, "Fyll i ett giltigt datum."),
        (
            {"action": "set_responsible_unit", "responsible_unit": "Handläggare 850709-9805"},
            "personnummer",
        ),
        ({"ids": ["1", "x"], "action": "archive"}, "Urvalet kunde inte läsas."),
        ({"ids": ["99999999999999999999999"], "action": "archive"}, "Urvalet kunde inte läsas."),
    ],
)
def test_a_change_that_cannot_be_read_is_explained_and_saves_nothing(
    as_officer, three, data, message
):
    before = state()
    response = bulk(as_officer, three, **data)
    assert response.status_code == 200
    content = text(response)
    assert "error-summary" in content
    assert message in content
    assert state() == before


def test_the_value_can_be_corrected_on_the_page_that_asks_for_it(as_officer, three, other_officer):
    content = text(bulk(as_officer, three[:2], action="set_owner"))
    assert '<form method="post" action="/measures/bulk/"' in content
    assert f'<input type="hidden" name="ids" value="{three[0].pk}">' in content
    assert '<select name="owner"' in content
    assert 'aria-invalid="true"' in content


def test_status_is_not_bulk_edited(as_officer, three):
    before = state()
    bulk(as_officer, three, action="set_status", status="done", confirm="1")
    assert state() == before


# --- Who may


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_police_and_others_may_not_bulk_edit(client, three, role, request):
    client.force_login(request.getfixturevalue(role))
    before = state()
    response = bulk(client, three, action="archive", confirm="1")
    assert response.status_code == 403
    # A user without a role is told so; a police liaison that this is not theirs.
    expected = (
        "Du har ingen roll i appen ännu" if role == "outsider" else "Du har inte behörighet här"
    )
    assert expected in response.content.decode()
    assert state() == before


def test_archiving_in_bulk_needs_the_archive_permission(client, three, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="a long enough password 1")
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_measure", "add_measure", "change_measure"])
    )
    client.force_login(editor)
    assert bulk(client, three, action="archive").status_code == 403
    assert (
        bulk(client, three, action="set_responsible_unit", responsible_unit="X").status_code == 200
    )


def test_the_bulk_page_takes_no_get(as_officer):
    assert as_officer.get("/measures/bulk/").status_code == 405
