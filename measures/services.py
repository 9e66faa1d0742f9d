"""Actions on measures that span several rows or models, each in one transaction."""

import functools
import operator

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .freshness import one_change
from .history import HISTORY_LINKS
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


# --- Many measures at once: the import and the bulk edit.
#
# Both write each measure once, with one history entry carrying the reason,
# in a number of queries that grows with the batches rather than the rows:
# a 5,000-row import has to fit inside one request.

_BATCH = 100


def _batched(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raise_versions(expected):
    """Raise the version of each (pk, version) in `expected`, or none of them.

    A conditional UPDATE, as in measure_edit: a measure saved by someone else
    since its version was read no longer matches, and the whole change is
    refused with EditConflict (naming one of them) and rolled back by the
    caller's transaction.
    """
    for chunk in _batched(expected, _BATCH):
        condition = functools.reduce(operator.or_, (Q(pk=pk, version=v) for pk, v in chunk))
        won = Measure.objects.filter(condition).update(version=F("version") + 1)
        if won != len(chunk):
            versions = dict(chunk)
            for pk, version in Measure.objects.filter(pk__in=versions).values_list("pk", "version"):
                if version != versions[pk] + 1:
                    raise EditConflict(Measure.objects.select_related("updated_by").get(pk=pk))
            raise EditConflict(None)


def _record_history(measures, *, by, reason, created):
    """One history entry per measure, with its districts, as simple-history's
    own save() would write it, but in bulk."""
    records = Measure.history.bulk_history_create(
        measures,
        update=not created,
        default_user=by,
        default_change_reason=reason,
        batch_size=500,
    )
    record_of = {record.id: record.history_id for record in records}
    # Every linked row, not only the changed ones: each history entry holds
    # the measure's links as they were then (see measures.history).
    for field, (model_name, related, _name) in HISTORY_LINKS.items():
        through = Measure._meta.get_field(field).remote_field.through
        link_history = apps.get_model("measures", model_name)
        rows = through.objects.filter(measure_id__in=list(record_of)).values_list(
            "id", "measure_id", f"{related}_id"
        )
        link_history.objects.bulk_create(
            [
                link_history(
                    id=pk,
                    measure_id=measure_id,
                    history_id=record_of[measure_id],
                    **{f"{related}_id": related_id},
                )
                for pk, measure_id, related_id in rows.iterator()
            ],
            batch_size=1000,
        )


def measures_import(*, new, changed, by, reason):
    """Create the `new` measures and save the `changed` ones, all or none.

    `new`: (measure, districts) pairs. `changed`: (measure as changed, the
    version it was read at, the fields that change, districts or None when
    they stay). Each saved measure gets one history entry with `reason`.
    """
    through = Measure.areas.through
    now = timezone.now()
    with transaction.atomic(), one_change():
        if changed:
            _raise_versions([(measure.pk, version) for measure, version, _f, _a in changed])
            fields = {"version", "updated_by", "updated_at"}
            for measure, version, changes, _areas in changed:
                measure.version = version + 1
                measure.updated_by = by
                measure.updated_at = now
                fields.update(name for name in changes if name != "areas")
            Measure.objects.bulk_update(
                [measure for measure, *_rest in changed], sorted(fields), batch_size=_BATCH
            )
            moved = [(measure, areas) for measure, _v, _f, areas in changed if areas is not None]
            through.objects.filter(measure_id__in=[measure.pk for measure, _a in moved]).delete()
            through.objects.bulk_create(
                [through(measure_id=m.pk, area_id=area.pk) for m, areas in moved for area in areas],
                batch_size=1000,
            )
            _record_history([m for m, *_rest in changed], by=by, reason=reason, created=False)
        if new:
            for measure, _areas in new:
                measure.created_by = measure.updated_by = by
            created = Measure.objects.bulk_create([m for m, _a in new], batch_size=500)
            through.objects.bulk_create(
                [
                    through(measure_id=m.pk, area_id=area.pk)
                    for m, (_same, areas) in zip(created, new, strict=True)
                    for area in areas
                ],
                batch_size=1000,
            )
            _record_history(created, by=by, reason=reason, created=True)


def measures_bulk_edit(*, measures, change, by, reason):
    """Apply `change` (a BulkChange) to each of `measures`, read with their
    current versions, all or none; one history entry each with `reason`."""
    now = timezone.now()
    with transaction.atomic(), one_change():
        _raise_versions([(measure.pk, measure.version) for measure in measures])
        for measure in measures:
            change.apply(measure)
            measure.version += 1
            measure.updated_by = by
            measure.updated_at = now
        fields = ["version", "updated_by", "updated_at", *change.fields]
        Measure.objects.bulk_update(measures, fields, batch_size=_BATCH)
        if change.area is not None:
            through = Measure.areas.through
            through.objects.bulk_create(
                [through(measure_id=measure.pk, area_id=change.area.pk) for measure in measures],
                batch_size=1000,
                ignore_conflicts=True,
            )
        _record_history(measures, by=by, reason=reason, created=False)
    return measures
