"""A measure's change log: who changed which field when, old value → new value."""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from agreement.models import FocusArea

from .models import Measure
from .roles import person_name

# Fields whose history is not shown: bookkeeping, or stored as ids.
_HIDDEN = {"id", "history_id", "history_date", "history_change_reason", "history_type"}
# The measure's many-to-many fields whose history is kept: the historical
# rows' model, the field naming the related row, and the related row's name.
HISTORY_LINKS = {
    "areas": ("HistoricalMeasure_areas", "area", "name"),
    "problems": ("HistoricalMeasureProblem", "problem", "title"),
    "indicators": ("HistoricalMeasureIndicator", "indicator", "title"),
    "promises": ("HistoricalMeasurePromise", "promise", "title"),
}
_CREATION_WINDOW = datetime.timedelta(seconds=5)


def _label(field_name):
    return str(Measure._meta.get_field(field_name).verbose_name).capitalize()


def display_value(name, value, *, names=None):
    """A measure's field value as every page shows it, in Swedish: the change
    log and the conflict view alike. Related rows may be given as objects or,
    as the history stores them, as ids that `names[name]` maps to words."""
    if value in (None, "") or (isinstance(value, (list, set, tuple)) and not value):
        return "–"
    field = Measure._meta.get_field(name)
    is_person = field.is_relation and field.related_model is get_user_model()
    known = (names or {}).get(name, {})

    def related(item):
        if hasattr(item, "pk"):
            return person_name(item) if is_person else str(item)
        return known.get(item) or (person_name(None) if is_person else "–")

    if field.many_to_many:
        return ", ".join(sorted(related(item) for item in value))
    if field.is_relation:
        return related(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def change_log(measure):
    """Newest first. A constant number of queries, whatever the history's length."""
    records = list(measure.history.select_related("history_user").order_by("history_date", "pk"))
    if not records:
        return []
    # {field: {history record id: {related id, ...}}} and {field: {id: name}},
    # one query per field; a row deleted since is named "?".
    linked, names = {}, {}
    for field, (model_name, related, name) in HISTORY_LINKS.items():
        rows = apps.get_model("measures", model_name).objects.filter(history__in=records)
        by_record = linked[field] = {}
        named = names[field] = {}
        for record_id, related_id, related_name in rows.values_list(
            "history_id", f"{related}_id", f"{related}__{name}"
        ):
            by_record.setdefault(record_id, set()).add(related_id)
            named[related_id] = related_name or "?"

    # Resolve the ids stored in history to names with one query per kind.
    user_ids, focus_ids = set(), set()
    for record in records:
        user_ids.add(record.owner_id)
        focus_ids.add(record.focus_area_id)
    users = {
        u.pk: person_name(u) for u in get_user_model().objects.filter(pk__in=user_ids - {None})
    }
    focus_areas = dict(FocusArea.objects.filter(pk__in=focus_ids).values_list("pk", "name"))

    names.update(owner=users, focus_area=focus_areas)

    def show(field, value):
        return display_value(field, value, names=names)

    entries = []
    previous = None
    for record in records:
        who = record.history_user
        entry = {
            "when": record.history_date,
            "who": person_name(who) if who else None,
            "type": record.history_type,
            "reason": record.history_change_reason or "",
            "changes": [],
        }
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_LINKS)
            for change in delta.changes:
                if change.field in _HIDDEN:
                    continue
                entry["changes"].append(
                    (
                        _label(change.field),
                        show(change.field, change.old),
                        show(change.field, change.new),
                    )
                )
            for field in HISTORY_LINKS:
                old = linked[field].get(previous.pk, set())
                new = linked[field].get(record.pk, set())
                if old != new:
                    entry["changes"].append((_label(field), show(field, old), show(field, new)))
        # Saving a new measure writes its districts a moment after the row;
        # that is part of creating it, not a change of its own. (An import or
        # a bulk edit writes one entry with its reason, never such a second.)
        completes_creation = (
            previous is not None
            and not record.history_change_reason
            and previous.history_type == "+"
            and record.history_user_id == previous.history_user_id
            and record.history_date - previous.history_date < _CREATION_WINDOW
        )
        previous = record
        if entry["type"] == "+" or (entry["changes"] and not completes_creation):
            entries.append(entry)
    entries.reverse()
    return entries
