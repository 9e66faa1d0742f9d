"""People leave; their work stays (issue 8, point 1).

Someone who has worked in the app is deactivated, never deleted: the
database refuses the deletion (PROTECT) and the admin says why and what to
do instead. Pages show a deactivated person as such, and a row whose person
is missing (older data) never breaks a page. Measures with progress
updates, focus areas and districts in use are protected the same way.
"""

import html

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from agreement.models import Area, FocusArea
from measures.models import Measure, ProgressUpdate, Review

DEACTIVATE_INSTEAD = "Inaktivera personen i stället"


@pytest.fixture
def worked(make_measure, make_update, other_officer, liaison, jordbro):
    """A measure owned and reported on by `other_officer`, reviewed by `liaison`,
    and a second update of theirs waiting for review."""
    measure = make_measure(owner=other_officer, areas=[jordbro], created_by=other_officer)
    reviewed = make_update(measure, author=other_officer)
    Review.objects.create(progress_update=reviewed, reviewer=liaison, verdict="approved")
    waiting = make_update(measure, author=other_officer, reported_on=reviewed.reported_on)
    return {"measure": measure, "reviewed": reviewed, "waiting": waiting}


def text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("who", ["other_officer", "liaison"])
def test_the_database_refuses_to_delete_someone_who_has_worked(request, worked, who):
    person = request.getfixturevalue(who)
    with pytest.raises(ProtectedError):
        person.delete()


def test_the_admin_refuses_to_delete_a_person_with_work_and_says_what_to_do(
    client, admin, worked, other_officer
):
    client.force_login(admin)
    url = reverse("admin:auth_user_delete", args=[other_officer.pk])

    page = client.get(url)
    assert DEACTIVATE_INSTEAD in text(page)
    response = client.post(url, {"post": "yes"})

    assert response.status_code in (200, 403)
    other_officer.refresh_from_db()
    assert other_officer.is_active


def test_the_admin_refuses_deletion_for_someone_only_in_the_history(
    client, admin, make_measure, other_officer, officer
):
    measure = make_measure(owner=other_officer)
    # The contact person changes; other_officer now appears only in history.
    measure.owner = officer
    measure.save()
    client.force_login(admin)

    page = client.get(reverse("admin:auth_user_delete", args=[other_officer.pk]))

    content = text(page)
    assert "finns i åtgärdernas historik" in content
    assert DEACTIVATE_INSTEAD in content
    assert 'name="post"' not in content


def test_the_bulk_delete_action_explains_too(client, admin, worked, other_officer):
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [other_officer.pk]},
    )
    assert DEACTIVATE_INSTEAD in text(response)
    assert type(other_officer).objects.filter(pk=other_officer.pk).exists()


def test_someone_who_never_worked_can_be_deleted(client, admin, outsider):
    client.force_login(admin)
    response = client.post(reverse("admin:auth_user_delete", args=[outsider.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not type(outsider).objects.filter(pk=outsider.pk).exists()


def test_the_deactivate_action_keeps_the_work(client, admin, worked, other_officer):
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [other_officer.pk]},
        follow=True,
    )
    assert "1 person inaktiverades." in text(response)
    other_officer.refresh_from_db()
    assert not other_officer.is_active
    assert worked["measure"].updates.count() == 2


def test_pages_show_a_deactivated_person_as_inactive(
    client, officer, liaison, worked, other_officer
):
    other_officer.is_active = False
    other_officer.email = "kollega@haninge.se"
    other_officer.save()
    name = f"{other_officer.get_full_name()} (inaktiv)"
    measure = worked["measure"]

    client.force_login(officer)
    detail = text(client.get(f"/measures/{measure.pk}/"))
    assert name in detail
    # Nobody writes to someone who has left.
    assert "mailto:kollega@haninge.se" not in detail
    assert "Saknar kontaktperson" in detail
    assert name in text(client.get("/measures/"))

    client.force_login(liaison)
    assert name in text(client.get("/reviews/"))
    assert name in text(client.get(f"/updates/{worked['waiting'].pk}/review/"))


def test_pages_never_break_on_a_missing_person(client, officer, admin, worked):
    """Rows from before people were protected may have lost their person."""
    measure = worked["measure"]
    ProgressUpdate.objects.filter(measure=measure).update(author=None)
    Review.objects.update(reviewer=None)
    Measure.objects.filter(pk=measure.pk).update(owner=None, created_by=None, updated_by=None)

    client.force_login(admin)
    for path in [
        "/",
        "/measures/",
        f"/measures/{measure.pk}/",
        "/reviews/",
        f"/updates/{worked['waiting'].pk}/review/",
        f"/updates/{worked['reviewed'].pk}/review/",
        "/report/?from=2025-02-11&to=2026-06-30",
        "/measures/export.csv",
        "/measures/export.xlsx",
        reverse("admin:measures_measure_change", args=[measure.pk]),
        reverse("admin:measures_progressupdate_changelist"),
        reverse("admin:measures_review_changelist"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "borttagen användare" in text(client.get("/reviews/"))


def test_deleting_a_measure_with_updates_is_refused_with_archive_instead(client, admin, worked):
    measure = worked["measure"]
    client.force_login(admin)
    url = reverse("admin:measures_measure_delete", args=[measure.pk])

    content = text(client.get(url))
    assert "Det går inte att radera." in content
    assert "Arkivera den i stället" in content
    client.post(url, {"post": "yes"})

    assert Measure.objects.filter(pk=measure.pk).exists()
    with pytest.raises(ProtectedError):
        measure.delete()


def test_a_measure_without_updates_can_be_deleted_by_an_admin(client, admin, make_measure):
    measure = make_measure()
    client.force_login(admin)
    response = client.post(
        reverse("admin:measures_measure_delete", args=[measure.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.parametrize(
    ("model", "explanation"),
    [
        (FocusArea, "Flytta först dess åtgärder till ett annat fokusområde"),
        (Area, "Ta först bort kommundelen från åtgärderna"),
    ],
)
def test_a_focus_area_or_district_in_use_is_not_deleted(
    client, admin, worked, focus_area, jordbro, model, explanation
):
    instance = focus_area if model is FocusArea else jordbro
    client.force_login(admin)
    url = reverse(f"admin:agreement_{model._meta.model_name}_delete", args=[instance.pk])

    content = text(client.get(url))
    assert explanation in content
    client.post(url, {"post": "yes"})
    assert model.objects.filter(pk=instance.pk).exists()
    with pytest.raises(ProtectedError):
        instance.delete()
    assert list(worked["measure"].areas.all()) == [jordbro]


def test_an_unused_district_can_be_deleted(client, admin):
    area = Area.objects.create(name="Ny kommundel", slug="ny-kommundel")
    client.force_login(admin)
    response = client.post(reverse("admin:agreement_area_delete", args=[area.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Area.objects.filter(pk=area.pk).exists()
