"""Actions on measures that span several rows or models, each in one transaction."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Measure, Review


class EditConflict(Exception):
    """Someone else saved the measure after the editor opened the form."""

    def __init__(self, current):
        super().__init__("the measure was changed by someone else")
        self.current = current


class AlreadyReviewed(Exception):
    """Someone else reviewed the progress update first."""

    def __init__(self, review):
        super().__init__("the progress update was reviewed by someone else")
        self.review = review


def measure_record_change(*, measure, by, expected_version=None, reason=None):
    """Raise the measure's version and note who changed it: the one place every
    change to a measure passes through, in the app and in the admin.

    With `expected_version` the version is raised with a conditional UPDATE,
    so of two editors who opened the same version exactly one wins, on SQLite
    as on PostgreSQL; the other gets EditConflict with the saved measure.
    Call inside a transaction, before saving the measure's own fields.
    """
    rows = Measure.objects.filter(pk=measure.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1, updated_by=by, updated_at=timezone.now()):
        raise EditConflict(Measure.objects.select_related("updated_by").get(pk=measure.pk))
    measure.version = Measure.objects.values_list("version", flat=True).get(pk=measure.pk)
    measure.updated_by = by
    measure._history_user = by
    if reason:
        measure._change_reason = reason


def measure_create(*, form, by):
    measure = form.save(commit=False)
    measure.created_by = measure.updated_by = by
    measure._history_user = by
    with transaction.atomic():
        measure.save()
        form.save_m2m()
    return measure


def measure_edit(*, form, expected_version, by):
    """Save the edit form unless the measure was saved since `expected_version`."""
    # commit=False writes nothing yet but gives the form its save_m2m().
    measure = form.save(commit=False)
    with transaction.atomic():
        measure_record_change(measure=measure, by=by, expected_version=expected_version)
        # Only the plan's fields: the status belongs to progress updates.
        plan = [name for name in form.Meta.fields if not Measure._meta.get_field(name).many_to_many]
        measure.save(update_fields=[*plan, "updated_at"])
        form.save_m2m()
    return measure


def measure_set_archived(*, measure, archived, by):
    with transaction.atomic():
        measure_record_change(measure=measure, by=by)
        measure.is_archived = archived
        measure.save(update_fields=["is_archived", "updated_at"])
    return measure


def measure_follow_updates(*, measure, by):
    """Move the measure to the status of its newest progress update by report
    date, so that a back-dated report never overrides a newer one. Nothing
    changes (and no history is written) when it is there already."""
    newest = measure.updates.newest_first().values_list("status", flat=True).first()
    if newest is None or newest == measure.status:
        return False
    measure.status = newest
    measure.updated_by = by
    measure._history_user = by
    measure.save(update_fields=["status", "updated_by", "updated_at"])
    return True


def progress_update_create(*, form, by):
    """Save a progress update and move its measure to the newest reported status."""
    update = form.save(commit=False)
    update.author = by
    with transaction.atomic():
        update.save()
        measure_follow_updates(measure=update.measure, by=by)
    return update


def review_create(*, form, by):
    """Save a review; AlreadyReviewed when another reviewer was first.

    The database keeps one review per progress update, so of two reviewers
    who open the same update exactly one is saved.
    """
    review = form.save(commit=False)
    review.reviewer = by
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        existing = (
            Review.objects.select_related("reviewer")
            .filter(progress_update=review.progress_update_id)
            .first()
        )
        if existing is None:
            raise
        raise AlreadyReviewed(existing) from None
    return review
