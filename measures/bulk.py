"""One change for many measures at once: what it does to each, and which of
them it cannot be made to, before anything is saved."""

import copy
import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .roles import person_name

REASONS = {
    "set_owner": gettext_lazy("Bulk edit: new contact person"),
    "set_responsible_unit": gettext_lazy("Bulk edit: new responsible unit"),
    "set_end_date": gettext_lazy("Bulk edit: new end date"),
    "add_area": gettext_lazy("Bulk edit: district added"),
    "archive": gettext_lazy("Bulk edit: archived"),
    "restore": gettext_lazy("Bulk edit: restored from the archive"),
}

FIELDS = {
    "set_owner": ["owner"],
    "set_responsible_unit": ["responsible_unit"],
    "set_end_date": ["end_date"],
    "add_area": [],
    "archive": ["is_archived"],
    "restore": ["is_archived"],
}


def _person(user):
    return person_name(user) if user else "–"


class BulkChange:
    """The change `action` with its `value`, for one measure at a time."""

    def __init__(self, action, value):
        self.action = action
        self.value = value
        self.fields = FIELDS[action]
        self.area = value if action == "add_area" else None

    @property
    def reason(self):
        return str(REASONS[self.action])

    @property
    def label(self):
        """What the change sets, for the confirmation's table heading."""
        return {
            "set_owner": _("Contact person"),
            "set_responsible_unit": _("Responsible unit"),
            "set_end_date": _("End date"),
            "add_area": _("Districts"),
            "archive": _("Archived"),
            "restore": _("Archived"),
        }[self.action]

    def summary(self):
        value = self.value
        return {
            "set_owner": lambda: (
                _("The contact person becomes %(value)s.") % {"value": _person(value)}
            ),
            "set_responsible_unit": lambda: (
                _("The responsible unit becomes “%(value)s”.") % {"value": value}
            ),
            "set_end_date": lambda: (
                _("The end date becomes %(value)s.") % {"value": value.isoformat()}
            ),
            "add_area": lambda: _("The district %(value)s is added.") % {"value": value.name},
            "archive": lambda: _(
                "The measures are archived: kept with their history, but left out of "
                "lists, flags and reports."
            ),
            "restore": lambda: _("The measures are restored from the archive."),
        }[self.action]()

    def shown(self, measure):
        """The measure's value of what the change sets, for the table."""
        if self.action == "set_owner":
            return _person(measure.owner)
        if self.action == "set_responsible_unit":
            return measure.responsible_unit or "–"
        if self.action == "set_end_date":
            return measure.end_date.isoformat()
        if self.action == "add_area":
            return ", ".join(area.name for area in measure.areas.all()) or "–"
        return _("Yes") if measure.is_archived else _("No")

    def after(self, measure):
        changed = copy.copy(measure)
        if self.action == "add_area":
            names = sorted({*(area.name for area in measure.areas.all()), self.value.name})
            return ", ".join(names)
        self.apply(changed)
        return self.shown(changed)

    def apply(self, measure):
        """Set the new value on `measure` (its districts are written apart)."""
        if self.action == "set_owner":
            measure.owner = self.value
        elif self.action == "set_responsible_unit":
            measure.responsible_unit = self.value
        elif self.action == "set_end_date":
            measure.end_date = self.value
        elif self.action in ("archive", "restore"):
            measure.is_archived = self.action == "archive"

    def changes(self, measure):
        if self.action == "set_owner":
            return measure.owner_id != self.value.pk
        if self.action == "set_responsible_unit":
            return measure.responsible_unit != self.value
        if self.action == "set_end_date":
            return measure.end_date != self.value
        if self.action == "add_area":
            return self.value.pk not in {area.pk for area in measure.areas.all()}
        return measure.is_archived != (self.action == "archive")

    def problem(self, measure):
        """Why the change cannot be made to `measure`, or None."""
        if measure.is_archived and self.action not in ("archive", "restore"):
            return _("The measure is archived. Restore it before changing it.")
        if self.action == "set_end_date":
            changed = copy.copy(measure)
            self.apply(changed)
            try:
                changed.clean()
            except ValidationError as exc:
                return " ".join(exc.messages)
        return None


class Plan:
    """The selected measures sorted into those that change, those that are
    already so, and those the change cannot be made to (with why)."""

    def __init__(self, change, measures):
        self.change = change
        self.changing, self.unchanged, self.problems = [], [], []
        for measure in measures:
            if not change.changes(measure):
                self.unchanged.append(measure)
            elif problem := change.problem(measure):
                self.problems.append((measure, problem))
            else:
                self.changing.append(measure)
        self.rows = [(m, change.shown(m), change.after(m)) for m in self.changing]

    @property
    def fingerprint(self):
        """Which measures change, at which versions, to what: a confirmation
        made on an older view of them is not saved."""
        value = self.change.value
        value = getattr(value, "pk", value)
        text = "|".join(
            [self.change.action, str(value), *(f"{m.pk}:{m.version}" for m in self.changing)]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]
