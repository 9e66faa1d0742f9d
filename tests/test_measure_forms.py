"""/measures/new/, /measures/<id>/edit/ and /measures/<id>/archive/: the plan's forms."""

import datetime
import html
import re

import pytest
from django.test import Client

from measures.models import Measure
from tests.forms import edit_data, new_data

PERIOD_ERROR = "Datumet måste ligga inom överenskommelsens giltighetstid, 2025-02-11 – 2027-12-31."
PERSONNUMMER = "Texten ser ut att innehålla ett personnummer."
CONFLICT = "sparade åtgärden efter att du öppnade den"


def row(measure):
    """The measure's stored row, for checking that nothing changed."""
    return Measure.objects.filter(pk=measure.pk).values().get()


def field_error(content, name):
    match = re.search(rf'<p class="field__error" id="id_{name}_error">([^<]*)</p>', content)
    return html.unescape(match.group(1)) if match else None


def assert_summary_links_resolve(content):
    links = re.findall(r'<li><a href="#([\w-]+)">', content)
    assert links
    for target in links:
        assert f'id="{target}"' in content


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


# --- Creating


def test_creating_a_measure_saves_it_and_shows_it(
    as_officer, focus_area, officer, liaison, jordbro
):
    response = as_officer.post(
        "/measures/new/",
        new_data(focus_area, owner=liaison.pk, areas=[jordbro.pk], is_one_off="on"),
    )

    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    assert measure.title == "Trygghetsvandring i Handen"
    assert measure.start_date == datetime.date(2025, 4, 1)
    assert measure.end_date == datetime.date(2025, 10, 31)
    assert measure.is_one_off
    assert measure.owner == liaison
    assert list(measure.areas.all()) == [jordbro]
    assert measure.status == Measure.Status.PLANNED
    assert measure.version == 1
    assert measure.created_by == officer
    assert measure.updated_by == officer
    created = measure.history.earliest()
    assert created.history_type == "+"
    assert {record.history_user for record in measure.history.all()} == {officer}

    shown = as_officer.get(response["Location"]).content.decode()
    assert "Åtgärden har sparats." in shown
    assert "Skapade åtgärden" in shown


def test_the_new_form_is_in_swedish_and_in_the_action_plans_order(as_officer):
    content = as_officer.get("/measures/new/").content.decode()

    assert "<h1>Ny åtgärd</h1>" in content
    legends = re.findall(r"<legend>([^<]+)</legend>", content)
    assert legends == ["Åtgärden", "Orsak och åtgärd", "Operativt mål", "När", "Vem"]
    # Each field is named once, by its question.
    assert '<label for="id_cause">Vilket problem i lägesbilden tar åtgärden itu med?' in content
    assert '<label for="id_operational_goal">Vad ska åtgärden uppnå?' in content
    assert content.count("Operativt mål") == 1
    assert 'name="version"' in content
    assert "Spara åtgärden" in content


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        pytest.param("2025-02-10", "2025-10-31", "start_date", id="start-before-period"),
        pytest.param("2025-04-01", "2028-01-01", "end_date", id="end-after-period"),
    ],
)
def test_dates_outside_the_period_are_refused_naming_the_period(
    as_officer, focus_area, start, end, field
):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, start_date=start, end_date=end)
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert field_error(content, field) == PERIOD_ERROR
    other = "end_date" if field == "start_date" else "start_date"
    assert field_error(content, other) is None
    assert not Measure.objects.exists()


def test_dates_on_the_period_edges_are_accepted(as_officer, focus_area):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, start_date="2025-02-11", end_date="2027-12-31")
    )

    assert response.status_code == 302
    assert Measure.objects.get().end_date == datetime.date(2027, 12, 31)


def test_the_period_error_is_tied_to_the_input_and_listed_in_a_summary(as_officer, focus_area):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, start_date="2025-02-10", end_date="2028-01-01")
    )

    content = response.content.decode()
    end_input = re.search(r'<input type="text" name="end_date"[^>]*>', content).group(0)
    assert 'aria-describedby="id_end_date_error id_end_date_helptext"' in end_input
    assert 'aria-invalid="true"' in end_input
    assert '<p class="field__error" id="id_end_date_error">' in content
    assert 'id="id_end_date_helptext"' in content
    summary = re.search(r'<div class="error-summary".*?</div>', content, re.S).group(0)
    assert 'role="alert"' in summary
    assert "Formuläret har 2 fel" in summary
    assert f'<a href="#id_end_date">Slutdatum: {PERIOD_ERROR}</a>' in html.unescape(summary)
    assert f'<a href="#id_start_date">Startdatum: {PERIOD_ERROR}</a>' in html.unescape(summary)
    assert_summary_links_resolve(content)


@pytest.mark.parametrize("path", ["new", "edit"])
def test_the_period_is_shown_beside_the_date_fields(as_officer, measure, path):
    url = "/measures/new/" if path == "new" else f"/measures/{measure.pk}/edit/"

    content = as_officer.get(url).content.decode()

    when = content[content.index("<legend>När</legend>") : content.index("<legend>Vem</legend>")]
    assert (
        "Överenskommelsen gäller 2025-02-11 – 2027-12-31. Båda datumen måste ligga inom perioden."
    ) in when
    for name in ("start_date", "end_date"):
        # A text field that shows ISO dates in any browser's language.
        date_input = re.search(rf'<input type="text" name="{name}"[^>]*>', when).group(0)
        assert 'inputmode="numeric"' in date_input
        assert f'aria-describedby="id_{name}_helptext"' in date_input or "ÅÅÅÅ-MM-DD" in when


def test_a_start_after_the_end_is_refused(as_officer, focus_area):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, start_date="2025-09-01", end_date="2025-06-01")
    )

    assert response.status_code == 200
    assert field_error(response.content.decode(), "end_date") == (
        "Slutdatumet kan inte ligga före startdatumet."
    )
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("field", "text"),
    [
        pytest.param("title", "Samtal med 050712-1234", id="title-yymmdd-nnnn"),
        pytest.param("cause", "Gäller 20050712-1234 och hans vänner.", id="cause-yyyymmdd"),
        pytest.param("description", "Stöd till 0507121234 i skolan.", id="description-no-dash"),
        pytest.param("operational_goal", "Kontakt med 050772-1234.", id="goal-samordningsnr"),
        pytest.param("responsible_unit", "Handläggare 191212+1212", id="unit-over-100"),
    ],
)
def test_a_personnummer_is_refused_saying_why(as_officer, focus_area, field, text):
    response = as_officer.post("/measures/new/", new_data(focus_area, **{field: text}))

    assert response.status_code == 200
    error = field_error(response.content.decode(), field)
    assert error.startswith(PERSONNUMMER)
    assert "grupper och platser, inte enskilda personer" in error
    assert not Measure.objects.exists()


def test_a_reference_number_is_not_taken_for_a_personnummer(as_officer, focus_area):
    response = as_officer.post(
        "/measures/new/",
        new_data(focus_area, cause="Se diarienummer KS 2025/0412 och 12345678901."),
    )

    assert response.status_code == 302


def test_missing_required_fields_each_get_a_swedish_message(as_officer):
    response = as_officer.post("/measures/new/", {"title": "  "})

    assert response.status_code == 200
    content = response.content.decode()
    required = [
        "focus_area",
        "title",
        "cause",
        "description",
        "kind",
        "operational_goal",
        "start_date",
        "end_date",
        "responsible_party",
    ]
    messages = {
        "focus_area": "Välj ett fokusområde.",
        "title": "Skriv en titel.",
        "cause": "Skriv vilket problem åtgärden tar itu med.",
        "description": "Skriv vad som görs.",
        "kind": "Välj typ av åtgärd.",
        "operational_goal": "Skriv vad åtgärden ska uppnå.",
        "start_date": "Ange första dagen.",
        "end_date": "Ange sista dagen.",
        "responsible_party": "Välj vem som är ansvarig.",
    }
    assert list(messages) == required
    for name in required:
        assert field_error(content, name) == messages[name], name
    for name in ("responsible_unit", "owner", "areas", "is_one_off"):
        assert field_error(content, name) is None, name
    assert f"Formuläret har {len(required)} fel" in content
    # Choices are groups of radio buttons: the summary leads to the first one.
    assert '<a href="#id_kind_0">Typ av åtgärd: Välj typ av åtgärd.</a>' in html.unescape(content)
    assert_summary_links_resolve(content)
    assert not Measure.objects.exists()


def test_what_was_typed_is_kept_when_the_form_comes_back(as_officer, focus_area):
    response = as_officer.post(
        "/measures/new/", new_data(focus_area, end_date="2028-01-01", title="Kvar efter felet")
    )

    content = response.content.decode()
    assert 'value="Kvar efter felet"' in content
    assert "Otrygghet vid pendeltågsstationen kvällstid." in content
    assert 'value="2028-01-01"' in content


def test_only_people_in_a_role_can_be_named_contact_person(as_officer, focus_area, outsider):
    response = as_officer.post("/measures/new/", new_data(focus_area, owner=outsider.pk))

    assert response.status_code == 200
    assert field_error(response.content.decode(), "owner").startswith(
        "Välj ett giltigt alternativ."
    )
    assert not Measure.objects.exists()


# --- Editing


def test_editing_saves_and_raises_the_version(client, measure, other_officer):
    client.force_login(other_officer)
    form = client.get(f"/measures/{measure.pk}/edit/").content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in form

    response = client.post(
        f"/measures/{measure.pk}/edit/",
        edit_data(measure, title="Nattvandring i Jordbro och Brandbergen", status="done"),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    measure.refresh_from_db()
    assert measure.title == "Nattvandring i Jordbro och Brandbergen"
    assert measure.version == 2
    assert measure.updated_by == other_officer
    # The status belongs to progress updates, not to the plan.
    assert measure.status == Measure.Status.PLANNED
    assert measure.history.latest().history_user == other_officer
    assert "Dina ändringar har sparats." in client.get(response["Location"]).content.decode()


def test_editing_the_districts(as_officer, measure, jordbro):
    response = as_officer.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, areas=[jordbro.pk])
    )

    assert response.status_code == 302
    assert list(measure.areas.all()) == [jordbro]

    measure.refresh_from_db()
    response = as_officer.post(f"/measures/{measure.pk}/edit/", edit_data(measure, areas=[]))

    assert response.status_code == 302
    assert not measure.areas.exists()


def test_a_rejected_edit_changes_nothing(as_officer, measure, jordbro):
    before = row(measure)
    history = measure.history.count()

    response = as_officer.post(
        f"/measures/{measure.pk}/edit/",
        edit_data(
            measure,
            title="Ska inte sparas",
            start_date="2026-01-01",
            end_date="2025-12-31",
            areas=[jordbro.pk],
        ),
    )

    assert response.status_code == 200
    assert field_error(response.content.decode(), "end_date") == (
        "Slutdatumet kan inte ligga före startdatumet."
    )
    assert row(measure) == before
    assert not measure.areas.exists()
    assert measure.history.count() == history


def test_two_editors_never_overwrite_each_other(measure, officer, other_officer):
    first, second = Client(), Client()
    first.force_login(officer)
    second.force_login(other_officer)
    url = f"/measures/{measure.pk}/edit/"
    # Both open version 1.
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    stale = edit_data(measure)

    saved = first.post(url, {**stale, "title": "Nattvandring, utökad till Vega"})
    assert saved.status_code == 302

    response = second.post(url, {**stale, "description": "Vuxna och fältassistenter vandrar."})

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert f"{officer.get_full_name()} {CONFLICT}" in content
    assert "Någon annan sparade åtgärden medan du redigerade" in content
    table = content[content.index('<section class="conflict"') : content.index("</section>")]
    assert '<th scope="col">Sparad version</th><th scope="col">Din version</th>' in table
    assert (
        '<th scope="row">Titel</th><td class="prose">Nattvandring, utökad till Vega</td>'
        '<td class="prose">Nattvandring i Jordbro centrum</td>'
    ) in table
    assert (
        '<th scope="row">Åtgärd</th><td class="prose">Vuxna vandrar kvällstid i centrum.</td>'
        '<td class="prose">Vuxna och fältassistenter vandrar.</td>'
    ) in table
    assert "Startdatum" not in table  # only the fields that differ
    # The form still holds the second editor's text, now against version 2.
    assert "Vuxna och fältassistenter vandrar.</textarea>" in content
    version = re.search(r'<input type="hidden" name="version" value="(\d+)"', content).group(1)
    assert version == "2"
    # The first editor's change is what the database holds.
    measure.refresh_from_db()
    assert measure.title == "Nattvandring, utökad till Vega"
    assert measure.description == "Vuxna vandrar kvällstid i centrum."
    assert measure.version == 2
    assert measure.updated_by == officer

    # Having compared, the second editor keeps both changes and saves again.
    again = second.post(
        url,
        {
            **stale,
            "title": "Nattvandring, utökad till Vega",
            "description": "Vuxna och fältassistenter vandrar.",
            "version": version,
        },
    )

    assert again.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Nattvandring, utökad till Vega"
    assert measure.description == "Vuxna och fältassistenter vandrar."
    assert measure.version == 3
    assert measure.updated_by == other_officer


def test_an_edit_without_a_version_is_treated_as_stale(as_officer, measure):
    before = row(measure)
    data = edit_data(measure, title="Utan version")
    del data["version"]

    response = as_officer.post(f"/measures/{measure.pk}/edit/", data)

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert row(measure) == before


# --- Archiving


def test_archiving_and_restoring_keeps_the_measure_and_its_history(
    as_officer, measure, update, officer
):
    history = measure.history.count()

    response = as_officer.post(f"/measures/{measure.pk}/archive/", {"archive": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    measure.refresh_from_db()
    assert measure.is_archived
    assert measure.version == 2
    assert measure.updates.get() == update
    assert measure.history.count() == history + 1
    assert measure.history.latest().history_user == officer
    content = html.unescape(as_officer.get(response["Location"]).content.decode())
    assert "Åtgärden har arkiverats. Den sparas med sin historik." in content
    assert "<td>Arkiverad</td><td><del>Nej</del></td><td><ins>Ja</ins></td>" in content

    response = as_officer.post(f"/measures/{measure.pk}/archive/", {"archive": "0"})

    assert response.status_code == 302
    measure.refresh_from_db()
    assert not measure.is_archived
    assert measure.history.count() == history + 2
    content = as_officer.get(response["Location"]).content.decode()
    assert "Åtgärden har återställts från arkivet." in content


def test_an_archived_measure_is_not_edited(as_officer, make_measure):
    measure = make_measure(is_archived=True)
    before = row(measure)

    response = as_officer.get(f"/measures/{measure.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"] == f"/measures/{measure.pk}/"
    content = as_officer.get(response["Location"]).content.decode()
    assert "Arkiverade åtgärder kan inte redigeras. Återställ åtgärden först." in content

    response = as_officer.post(
        f"/measures/{measure.pk}/edit/", edit_data(measure, title="Nattvandring, ny plan")
    )

    # Archived while the form was open: refused, and what was typed comes back.
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Åtgärden arkiverades medan du redigerade" in content
    assert 'value="Nattvandring, ny plan"' in content
    assert row(measure) == before
