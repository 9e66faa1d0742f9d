"""Actions on measures that span several rows or models, each in one transaction."""

from django.db import transaction
from django.db.models import F

from .models import Measure


class EditConflict(Exception):
    """Someone else saved the measure after the editor opened the form."""

    def __init__(self, current):
        super().__init__("the measure was changed by someone else")
        self.current = current


def measure_create(*, form, by):
    measure = form.save(commit=False)
    measure.created_by = measure.updated_by = by
    measure._history_user = by
    with transaction.atomic():
        measure.save()
        form.save_m2m()
    return measure


def measure_edit(*, form, expected_version, by):
    """Save the edit form unless the measure was saved since `expected_version`.

    The version is raised with a conditional UPDATE, so of two editors who
    opened the same version exactly one wins, on SQLite as on PostgreSQL.
    """
    # commit=False writes nothing yet but gives the form its save_m2m().
    measure = form.save(commit=False)
    with transaction.atomic():
        won = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not won:
            raise EditConflict(Measure.objects.select_related("updated_by").get(pk=measure.pk))
        measure.version = expected_version + 1
        measure.updated_by = by
        measure._history_user = by
        # Only the plan's fields: the status belongs to progress updates.
        plan = [name for name in form.Meta.fields if name != "areas"]
        measure.save(update_fields=[*plan, "version", "updated_by", "updated_at"])
        form.save_m2m()
    return measure


def measure_set_archived(*, measure, archived, by):
    with transaction.atomic():
        measure.is_archived = archived
        measure.updated_by = by
        measure.version = F("version") + 1
        measure._history_user = by
        measure.save(update_fields=["is_archived", "updated_by", "version", "updated_at"])
        measure.refresh_from_db(fields=["version"])
    return measure


def progress_update_create(*, form, by):
    """Save a progress update and move its measure to the reported status."""
    update = form.save(commit=False)
    update.author = by
    measure = update.measure
    with transaction.atomic():
        update.save()
        if measure.status != update.status:
            measure.status = update.status
            measure.updated_by = by
            measure._history_user = by
            measure.save(update_fields=["status", "updated_by", "updated_at"])
    return update


def review_create(*, form, by):
    review = form.save(commit=False)
    review.reviewer = by
    review.save()
    return review
