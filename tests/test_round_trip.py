"""A form never changes what the user did not touch (issue 8, point 2).

Every edit form, in the app and in the admin, is rendered, read back the way
a browser submits it (tests/html_forms.py) and posted unchanged: nothing
stored may change, not even a line break, and no history entry is written.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.urls import reverse

from agreement.models import Agreement, Area, FocusArea
from measures.models import Measure, ProgressUpdate, Review
from tests.html_forms import browser_post_data

MULTILINE = "Första raden.\nAndra raden med å, ä och ö.\n\nEtt nytt stycke."


def stored(instance):
    """Every column of the row, and its many-to-many values, as saved."""
    fresh = type(instance).objects.get(pk=instance.pk)
    values = model_to_dict(fresh)
    for field in fresh._meta.concrete_fields:
        values[field.attname] = getattr(fresh, field.attname)
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(getattr(fresh, field.name).values_list("pk", flat=True))
    return values


def post_unchanged(client, url):
    page = client.get(url)
    assert page.status_code == 200
    data = browser_post_data(page.content.decode())
    return client.post(url, data)


@pytest.fixture
def rich_measure(make_measure, jordbro, other_officer):
    measure = make_measure(
        title="Nattvandring i Jordbro centrum",
        description=MULTILINE,
        cause=MULTILINE,
        operational_goal=MULTILINE,
        responsible_unit="Fältassistenterna",
        is_one_off=True,
        owner=other_officer,
        areas=[jordbro, Area.objects.get(slug="brandbergen")],
    )
    return measure


# --- The app's edit form


def test_the_edit_form_saved_unchanged_changes_nothing(client, officer, rich_measure):
    client.force_login(officer)
    before, history = stored(rich_measure), rich_measure.history.count()

    response = post_unchanged(client, f"/measures/{rich_measure.pk}/edit/")

    assert response.status_code == 302
    assert stored(rich_measure) == before
    assert rich_measure.history.count() == history
    page = client.get(response["Location"]).content.decode()
    assert "Inget var ändrat, så inget sparades." in page


@pytest.mark.parametrize("how", ["deactivated", "without role"])
def test_a_contact_person_who_left_is_kept_when_the_form_is_saved(
    client, officer, rich_measure, other_officer, how
):
    if how == "deactivated":
        other_officer.is_active = False
        other_officer.save()
    else:
        other_officer.groups.clear()
    client.force_login(officer)
    page = client.get(f"/measures/{rich_measure.pk}/edit/").content.decode()
    marker = "inaktiv" if how == "deactivated" else "saknar roll"
    assert f'<option value="{other_officer.pk}" selected>Test {other_officer.last_name} ({marker})'
    assert f"({marker})</option>" in page

    data = browser_post_data(page)
    data["title"] = ["Nattvandring i Jordbro centrum, etapp 2"]
    response = client.post(f"/measures/{rich_measure.pk}/edit/", data)

    assert response.status_code == 302
    rich_measure.refresh_from_db()
    assert rich_measure.title == "Nattvandring i Jordbro centrum, etapp 2"
    assert rich_measure.owner == other_officer


def test_someone_who_left_cannot_be_chosen_as_a_new_contact_person(
    client, officer, make_measure, other_officer
):
    measure = make_measure(owner=officer)
    other_officer.is_active = False
    other_officer.save()
    client.force_login(officer)
    data = browser_post_data(client.get(f"/measures/{measure.pk}/edit/").content.decode())
    assert f'value="{other_officer.pk}"' not in str(data)
    data["owner"] = [str(other_officer.pk)]

    response = client.post(f"/measures/{measure.pk}/edit/", data)

    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.owner == officer


def test_line_breaks_typed_in_a_browser_are_stored_as_typed(client, officer, focus_area):
    """Browsers send CR LF; stored text uses LF, so a later unchanged save
    finds nothing changed."""
    from tests.forms import new_data

    client.force_login(officer)
    response = client.post(
        "/measures/new/", new_data(focus_area, description=MULTILINE.replace("\n", "\r\n"))
    )

    assert response.status_code == 302
    measure = Measure.objects.get(title="Trygghetsvandring i Handen")
    assert measure.description == MULTILINE


# --- The admin's change forms


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _admin_change(model, pk):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


@pytest.fixture
def admin_objects(rich_measure, make_update, liaison, agreement, focus_area, jordbro, officer):
    # The measure stands where its newest report says, as the app keeps it.
    update = make_update(rich_measure, summary=MULTILINE, next_steps=MULTILINE)
    Measure.objects.filter(pk=rich_measure.pk).update(status=update.status)
    review = Review.objects.create(
        progress_update=update, reviewer=liaison, verdict="needs_changes", comment=MULTILINE
    )
    focus_area.description = MULTILINE
    focus_area.save()
    agreement.goal = MULTILINE
    agreement.save()
    officer.first_name, officer.last_name, officer.email = "Åsa", "Öberg", "asa@example.se"
    officer.save()
    return {
        Measure: rich_measure,
        ProgressUpdate: update,
        Review: review,
        Agreement: agreement,
        FocusArea: focus_area,
        Area: jordbro,
        type(officer): officer,
        Group: Group.objects.get(name="Kommunens handläggare"),
    }


@pytest.mark.parametrize(
    "model",
    [Measure, ProgressUpdate, Review, Agreement, FocusArea, Area, "user", Group],
    ids=lambda m: m if isinstance(m, str) else m.__name__,
)
def test_every_admin_change_form_saved_unchanged_changes_nothing(
    admin_client, admin_objects, model, django_user_model
):
    model = django_user_model if model == "user" else model
    instance = admin_objects[model]
    related = {m: stored(o) for m, o in admin_objects.items()}
    history = Measure.history.count()

    response = post_unchanged(admin_client, _admin_change(model, instance.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    after = {m: stored(o) for m, o in admin_objects.items()}
    changed = {
        (m.__name__, key): (related[m][key], after[m][key])
        for m in related
        for key in related[m]
        if related[m][key] != after[m][key]
    }
    assert changed == {}
    assert Measure.history.count() == history


def test_an_admin_save_keeps_a_contact_person_who_left(admin_client, rich_measure, other_officer):
    other_officer.is_active = False
    other_officer.save()
    page = admin_client.get(_admin_change(Measure, rich_measure.pk)).content.decode()
    data = browser_post_data(page)
    data["title"] = ["Nattvandring, ny plan"]

    response = admin_client.post(_admin_change(Measure, rich_measure.pk), data)

    assert response.status_code == 302
    rich_measure.refresh_from_db()
    assert (rich_measure.title, rich_measure.owner) == ("Nattvandring, ny plan", other_officer)


def test_the_admin_measure_form_offers_districts_and_saves_them_with_history(
    admin_client, rich_measure, jordbro
):
    url = _admin_change(Measure, rich_measure.pk)
    data = browser_post_data(admin_client.get(url).content.decode())
    vega = Area.objects.get(slug="vega")
    data["districts"] = [str(jordbro.pk), str(vega.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert set(rich_measure.areas.values_list("slug", flat=True)) == {"jordbro", "vega"}
    detail = admin_client.get(f"/measures/{rich_measure.pk}/").content.decode()
    assert "Brandbergen, Jordbro" in detail  # before → after in the history table
    assert "Jordbro, Vega" in detail


def test_the_measure_form_starts_from_the_saved_dates(client, officer, rich_measure):
    client.force_login(officer)
    data = browser_post_data(client.get(f"/measures/{rich_measure.pk}/edit/").content.decode())
    assert data["start_date"] == [rich_measure.start_date.isoformat()]
    assert data["end_date"] == [rich_measure.end_date.isoformat()]
    assert rich_measure.start_date == datetime.date(2025, 3, 1)
