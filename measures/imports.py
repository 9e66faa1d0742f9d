"""Import of measures from a spreadsheet, with a preview to confirm.

The file is the app's own export (CSV or Excel), edited, or a sheet made from
the template. It is read twice, one row at a time (spreadsheet.py): first to
count the rows and collect the IDs, then to check each row against what the
first pass told us to load. Each row becomes an ImportRow: new, changed (old
→ new per field), unchanged or error, with Swedish messages per cell. Nothing
touches a measure until the uploader confirms; confirming checks every row
again against the measures as they are then and saves all of them in one
transaction, or none.
"""

import collections
import copy
import datetime
import io
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from agreement.models import Area, FocusArea
from agreement.validators import contains_personnummer, reject_personnummer

from . import exports, services
from .models import ImportBatch, ImportRow, Measure
from .roles import people_in_roles, person_name
from .spreadsheet import Unreadable, open_sheet

MAX_ROWS = 5000

LABELS = dict(exports.COLUMNS)
# The columns the import reads, in the export's order. Every other column of
# the export (status, progress, assessment, flags, archived…) follows from
# progress updates or is computed, so it is read past, as is any column the
# export gains later.
IMPORTED = [
    "id",
    "version",
    "title",
    "focus_area",
    "responsible_party",
    "responsible_unit",
    "owner",
    "areas",
    "kind",
    "is_one_off",
    "start_date",
    "end_date",
    "cause",
    "description",
    "operational_goal",
]
# Needed to create a measure; a file without one of them is refused whole.
REQUIRED = [
    "title",
    "focus_area",
    "responsible_party",
    "kind",
    "start_date",
    "end_date",
    "cause",
    "description",
    "operational_goal",
]
FIELDS = [key for key in IMPORTED if key not in ("id", "version")]
TEXT_FIELDS = ["title", "responsible_unit", "cause", "description", "operational_goal"]
# In a stored row, a cell that held a personnummer is {"personnummer": the
# message}, never its text; FLAGGED lists the ignored columns that held one.
FLAGGED = "_flagged"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEPARATORS = re.compile(r"[,;\n]")


def label(key):
    return str(LABELS[key])


def normal(text):
    """Text compared as people mean it: case and spacing do not matter."""
    return " ".join(str(text).split()).casefold()


def clean_text(text):
    """A text cell as the form would save it: line breaks as \\n, no
    surrounding space. (Excel reads a carriage return back as a line feed.)"""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


# The largest key a database column of the app holds (a signed 64-bit integer).
_MAX_KEY = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def integer(value):
    """A whole number from a cell, as IDs and versions are written; None for
    anything else, including numbers too large to be a key."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= _MAX_KEY:
        return value
    return None


def _listing(names):
    return ", ".join(str(name) for name in names)


def _personnummer(value):
    """The message if a cell's text, or its formula, holds a personnummer."""
    if isinstance(value, dict):
        value = value.get("formula", "")
    if not isinstance(value, str):
        return None
    try:
        reject_personnummer(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


# --- The header row


class Layout:
    """Which column of the sheet holds what, read from its header row."""

    def __init__(self, header):
        known = {}
        for key, text in exports.COLUMNS:
            known[normal(text)] = key
            known[normal(key)] = key
        self.index = {}
        self.headings = {}
        self.read_only, self.unknown = [], []
        self.stray = set()
        duplicates = []
        for position in sorted(header):
            value = header[position]
            text = str(value.get("formula", value) if isinstance(value, dict) else value).strip()
            if contains_personnummer(text):
                raise Unreadable(
                    _(
                        "A column name in the first row seems to hold a personal identity "
                        "number (personnummer). Remove it and upload the file again."
                    )
                )
            self.headings[position] = text
            key = known.get(normal(text))
            if key is None:
                self.unknown.append(text)
            elif key not in IMPORTED:
                self.read_only.append(text)
            elif key in self.index:
                duplicates.append(text)
            else:
                self.index[key] = position
        if duplicates:
            raise Unreadable(
                _("These columns appear more than once: %(columns)s. Keep one of each.")
                % {"columns": _listing(duplicates)}
            )
        missing = [label(key) for key in REQUIRED if key not in self.index]
        if "id" in self.index and "version" not in self.index:
            missing.append(label("version"))
        if missing:
            raise Unreadable(
                _(
                    "The file lacks the columns %(missing)s. The first row must name the "
                    "columns as the export and the template do: %(expected)s."
                )
                % {
                    "missing": _listing(missing),
                    "expected": _listing(label(key) for key in IMPORTED),
                }
            )
        self.keys = set(self.index)
        self._imported_positions = set(self.index.values())

    def note_stray(self, row):
        """Remember cells in columns that have no heading."""
        for position in row:
            if position not in self.headings:
                self.stray.add(position)

    def heading(self, position):
        return self.headings.get(position) or _("column %(letter)s") % {
            "letter": get_column_letter(position + 1)
        }

    def cells(self, row):
        """The row's imported cells by key, with a personnummer replaced by a
        marker; and, under FLAGGED, the other columns that hold one."""
        cells = {}
        for key, position in self.index.items():
            value = row.get(position)
            if value is None:
                continue
            message = _personnummer(value)
            cells[key] = {"personnummer": message} if message else value
        flagged = []
        for position, value in sorted(row.items()):
            if position not in self._imported_positions and (message := _personnummer(value)):
                flagged.append([self.heading(position), message])
        if flagged:
            cells[FLAGGED] = flagged
        return cells

    def notes(self):
        notes = []
        if self.read_only:
            notes.append(
                _(
                    "These columns of the export are not imported and were ignored: "
                    "%(columns)s. Status and progress follow the progress updates, and "
                    "the flags are worked out by the app."
                )
                % {"columns": _listing(self.read_only)}
            )
        if self.unknown:
            notes.append(
                _("These columns are unknown to the app and were ignored: %(columns)s.")
                % {"columns": _listing(self.unknown)}
            )
        if self.stray:
            notes.append(
                _("Cells in columns without a heading were ignored (column %(columns)s).")
                % {"columns": _listing(get_column_letter(p + 1) for p in sorted(self.stray))}
            )
        return notes


# --- Checking a row


class Outcome:
    """What one row would do: its kind, the messages per cell, and for a
    new or changed row the measure ready to save."""

    def __init__(self, line):
        self.line = line
        self.measure = None  # the saved measure the row names by its ID
        self.instance = None  # the measure as the row would leave it
        self.areas = None  # the districts to set, when they change
        self.fields = []  # the fields the row changes
        self.changes = []
        self.errors = []
        self.title = ""

    def error(self, column, message):
        self.errors.append([column, str(message)])

    @property
    def kind(self):
        if self.errors:
            return ImportRow.Kind.ERROR
        if self.measure is None:
            return ImportRow.Kind.NEW
        return ImportRow.Kind.CHANGED if self.changes else ImportRow.Kind.UNCHANGED

    def as_stored(self):
        """What the preview shows, to compare with the stored row."""
        return {
            "kind": self.kind,
            "measure_id": self.measure.pk if self.measure else None,
            "changes": self.changes,
            "errors": self.errors,
        }


def _display(key, value):
    if value in (None, "", []):
        return "–"
    if key == "owner":
        return person_name(value)
    if key == "areas":
        return ", ".join(sorted(area.name for area in value))
    if key in ("kind", "responsible_party"):
        return str(dict(Measure._meta.get_field(key).choices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Checker:
    """Checks rows against the agreement, its focus areas, the districts, the
    people who can be contact persons and the measures the file names, all
    loaded up front in a fixed number of queries, whatever the rows."""

    def __init__(self, *, agreement, keys, id_lines):
        self.agreement = agreement
        self.keys = keys
        self.id_lines = id_lines
        self.focus_areas = {}
        self.focus_area_names = []
        for focus_area in FocusArea.objects.filter(agreement=agreement).order_by(
            "position", "name"
        ):
            focus_area.agreement = agreement
            self.focus_areas[normal(focus_area.name)] = focus_area
            self.focus_areas.setdefault(normal(focus_area.slug), focus_area)
            self.focus_area_names.append(focus_area.name)
        self.areas = {}
        self.area_names = []
        for area in Area.objects.order_by("name"):
            self.areas[normal(area.name)] = area
            self.areas.setdefault(normal(area.slug), area)
            self.area_names.append(area.name)
        self.people_by_name = collections.defaultdict(list)
        self.people_by_username = {}
        for person in people_in_roles():
            self.people_by_username[normal(person.get_username())] = person
            if person.get_full_name():
                self.people_by_name[normal(person.get_full_name())].append(person)
        self.measures = {
            measure.pk: measure
            for measure in Measure.objects.filter(pk__in=list(id_lines))
            .select_related("focus_area__agreement", "owner", "updated_by")
            .prefetch_related("areas")
        }
        self.choices = {
            key: self._choice_map(Measure._meta.get_field(key).choices)
            for key in ("kind", "responsible_party")
        }

    @staticmethod
    def _choice_map(choices):
        mapping = {}
        for value, text in choices:
            mapping[normal(text)] = value
            mapping[normal(value)] = value
        return mapping

    # Each parser turns a non-empty cell into a value, or raises ValidationError.

    def _text(self, raw, measure):
        return clean_text(raw)

    def _focus_area(self, raw, measure):
        found = self.focus_areas.get(normal(raw))
        if found is None:
            raise ValidationError(
                _("“%(value)s” is not a focus area of the agreement. Write one of: %(valid)s.")
                % {"value": raw, "valid": _listing(self.focus_area_names)}
            )
        return found

    def _choice(self, key):
        def parse(raw, measure):
            found = self.choices[key].get(normal(raw))
            if found is None:
                valid = [str(text) for _value, text in Measure._meta.get_field(key).choices]
                raise ValidationError(
                    _("“%(value)s” is not one of the choices. Write one of: %(valid)s.")
                    % {"value": raw, "valid": _listing(valid)}
                )
            return found

        return parse

    def _owner(self, raw, measure):
        key = normal(raw)
        current = measure.owner if measure else None
        # The current contact person stays, even one who has since left the
        # roles: the export names them, and an unchanged row must stay so.
        if current and key in {
            normal(current.get_full_name()),
            normal(current.get_username()),
            normal(person_name(current)),
        }:
            return current
        found = self.people_by_name.get(key, [])
        if not found and key in self.people_by_username:
            found = [self.people_by_username[key]]
        if len(found) > 1:
            raise ValidationError(
                _("Several people are called “%(value)s”. Write the user name instead.")
                % {"value": raw}
            )
        if not found:
            raise ValidationError(
                _(
                    "Nobody called “%(value)s” can be contact person. Write the name as the "
                    "app shows it, or the user name, of someone in the municipality's or "
                    "the police's role; or leave the cell empty."
                )
                % {"value": raw}
            )
        return found[0]

    def _areas(self, raw, measure):
        names = [name.strip() for name in _SEPARATORS.split(str(raw)) if name.strip()]
        unknown = [name for name in names if normal(name) not in self.areas]
        if unknown:
            raise ValidationError(
                _(
                    "Unknown districts: %(unknown)s. Write the districts separated by "
                    "commas, from: %(valid)s."
                )
                % {"unknown": _listing(unknown), "valid": _listing(self.area_names)}
            )
        return list(
            {self.areas[normal(name)].pk: self.areas[normal(name)] for name in names}.values()
        )

    def _yes_no(self, raw, measure):
        if isinstance(raw, bool):
            return raw
        key = normal(raw)
        if key in {normal(_("Yes")), "yes", "true", "1", "x"}:
            return True
        if key in {normal(_("No")), "no", "false", "0"}:
            return False
        raise ValidationError(_("Write %(yes)s or %(no)s.") % {"yes": _("Yes"), "no": _("No")})

    def _date(self, raw, measure):
        text = str(raw).strip()
        if _DATE.fullmatch(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
        raise ValidationError(
            _(
                "“%(value)s” is not a date this app can read. Write dates as YYYY-MM-DD, "
                "e.g. %(example)s."
            )
            % {"value": raw, "example": self.agreement.valid_from.isoformat()}
        )

    def _parser(self, key):
        return {
            "focus_area": self._focus_area,
            "responsible_party": self._choice("responsible_party"),
            "kind": self._choice("kind"),
            "owner": self._owner,
            "areas": self._areas,
            "is_one_off": self._yes_no,
            "start_date": self._date,
            "end_date": self._date,
        }.get(key, self._text)

    # Empty cells: what an empty cell means for each field.
    _EMPTY = {"owner": None, "areas": [], "is_one_off": False}

    def check(self, line, cells):
        outcome = Outcome(line)
        failed = set()
        for key, value in cells.items():
            if key == FLAGGED:
                for heading, message in value:
                    outcome.error(heading, message)
            elif isinstance(value, dict):
                outcome.error(label(key), _cell_message(value))
                failed.add(key)

        measure = outcome.measure = self._measure(outcome, cells, failed)

        values = {}
        for key in FIELDS:
            if key not in self.keys or key in failed:
                continue
            raw = cells.get(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if key in TEXT_FIELDS:
                    values[key] = ""
                elif key in self._EMPTY:
                    values[key] = self._EMPTY[key]
                else:
                    outcome.error(label(key), _empty_message(key, self))
                    failed.add(key)
                continue
            try:
                values[key] = self._parser(key)(raw, measure)
            except ValidationError as exc:
                for message in exc.messages:
                    outcome.error(label(key), message)
                failed.add(key)

        # A saved measure by the title it has now; a new one by the file's.
        title = measure.title if measure else values.get("title") or ""
        outcome.title = title[:200]

        if measure is None:
            instance = Measure(status=Measure.Status.PLANNED)
            for key, value in values.items():
                if key != "areas":
                    setattr(instance, key, value)
            outcome.areas = values.get("areas", [])
            outcome.fields = list(values)
        else:
            instance = copy.copy(measure)
            for key, value in values.items():
                if not _same(key, measure, value):
                    outcome.fields.append(key)
                    old = list(measure.areas.all()) if key == "areas" else getattr(measure, key)
                    outcome.changes.append([label(key), _display(key, old), _display(key, value)])
                    if key == "areas":
                        outcome.areas = value
                    else:
                        setattr(instance, key, value)
            if outcome.changes and measure.is_archived:
                outcome.error(
                    label("id"),
                    _("The measure is archived. Restore it in the app before changing it."),
                )

        self._validate(outcome, instance, failed)
        outcome.instance = instance
        if outcome.errors:
            outcome.changes = []
        return outcome

    def _measure(self, outcome, cells, failed):
        """The saved measure the row names, checked against its version."""
        if "id" not in self.keys or "id" in failed or cells.get("id") is None:
            return None
        raw = cells["id"]
        pk = integer(raw)
        if pk is None:
            outcome.error(
                label("id"),
                _(
                    "“%(value)s” is not an ID. The ID is a whole number from the export; "
                    "leave it empty for a new measure."
                )
                % {"value": raw},
            )
            return None
        lines = self.id_lines.get(pk, [])
        if len(lines) > 1:
            outcome.error(
                label("id"),
                _("The ID %(id)s is on several rows (%(rows)s). Each measure may appear once.")
                % {"id": pk, "rows": _listing(lines)},
            )
        measure = self.measures.get(pk)
        if measure is None or measure.focus_area.agreement_id != self.agreement.pk:
            outcome.error(
                label("id"),
                _(
                    "No measure of the agreement has the ID %(id)s. Leave the ID empty to "
                    "create a new measure."
                )
                % {"id": pk},
            )
            return None
        version = cells.get("version")
        if "version" in failed:
            pass
        elif version is None:
            outcome.error(
                label("version"),
                _(
                    "Write the measure's version as the export gives it: it shows whether "
                    "someone has saved the measure since."
                ),
            )
        elif integer(version) is None:
            outcome.error(
                label("version"),
                _("“%(value)s” is not a version. The version is a whole number from the export.")
                % {"value": version},
            )
        elif integer(version) != measure.version:
            who = measure.updated_by
            outcome.error(
                label("version"),
                _(
                    "Someone has saved the measure since this file was exported: the file "
                    "has version %(file)s, the measure is at version %(saved)s (saved "
                    "%(when)s by %(who)s). Export the measures again and make the change "
                    "in the new file."
                )
                % {
                    "file": integer(version),
                    "saved": measure.version,
                    "when": timezone.localtime(measure.updated_at).strftime("%Y-%m-%d %H:%M"),
                    "who": (who.get_full_name() or who.get_username()) if who else "–",
                },
            )
        return measure

    def _validate(self, outcome, instance, failed):
        """Every rule of a measure, as the form applies it: the model's own
        validation, without the queries that would check each reference again."""
        exclude = {"focus_area", "owner", "created_by", "updated_by", *failed}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field in failed:
                    continue
                column = "–" if field == NON_FIELD_ERRORS else label(field)
                for message in messages:
                    outcome.error(column, message)
        if instance.focus_area_id is None:
            # As the form does: without a focus area, the agreement being
            # imported into says which period applies.
            for key in ("start_date", "end_date"):
                day = getattr(instance, key)
                if key not in failed and day and not self.agreement.covers(day):
                    outcome.error(
                        label(key),
                        _("The date must lie within the agreement's validity period, %(period)s.")
                        % {"period": self.agreement.period_label},
                    )


def _same(key, measure, value):
    if key in TEXT_FIELDS:
        return clean_text(getattr(measure, key)) == value
    if key == "areas":
        return {area.pk for area in measure.areas.all()} == {area.pk for area in value}
    if key in ("focus_area", "owner"):
        return getattr(measure, f"{key}_id") == (value.pk if value else None)
    return getattr(measure, key) == value


def _cell_message(value):
    if value.get("personnummer"):
        return value["personnummer"]
    if "formula" in value:
        return _(
            "The cell holds a formula (%(formula)s). The import reads values only: "
            "replace the formula with its value."
        ) % {"formula": value["formula"][:100]}
    return _("The cell holds the spreadsheet error %(error)s. Write the value instead.") % {
        "error": value.get("error", "?")
    }


def _empty_message(key, checker):
    if key == "focus_area":
        return _("Write the focus area, one of: %(valid)s.") % {
            "valid": _listing(checker.focus_area_names)
        }
    if key in ("kind", "responsible_party"):
        valid = [str(text) for _value, text in Measure._meta.get_field(key).choices]
        return _("Write one of: %(valid)s.") % {"valid": _listing(valid)}
    return _("Write a date as YYYY-MM-DD.")


# --- Reading a file into a preview


def _rows_of(sheet, values_of=None):
    """The sheet's rows under its header, leaving out empty ones; the Layout first."""
    rows = sheet.rows(values_of)
    first = next(rows, None)
    if first is None or first[0] != 1 or not first[1]:
        raise Unreadable(
            _(
                "The first row must hold the column names, as in the export and the "
                "template. This file's first row is empty."
            )
        )
    layout = Layout(first[1])
    return layout, ((number, row) for number, row in rows if row)


def _survey(sheet):
    """The first pass: the layout, the number of rows, which rows carry which ID.
    Of the cells under the header it reads only the IDs' values."""
    wanted = set()
    layout, rows = _rows_of(sheet, wanted)
    if "id" in layout.index:
        wanted.add(layout.index["id"])
    id_lines = collections.defaultdict(list)
    count = 0
    for number, row in rows:
        count += 1
        if count > MAX_ROWS:
            raise Unreadable(
                _(
                    "The file has more than %(limit)s rows of measures. Split it into "
                    "several files of at most %(limit)s rows each."
                )
                % {"limit": f"{MAX_ROWS:,}".replace(",", "\N{NO-BREAK SPACE}")}
            )
        layout.note_stray(row)
        if "id" in layout.index:
            pk = integer(row.get(layout.index["id"]))
            if pk is not None:
                id_lines[pk].append(number)
    sheet.check_complete()
    if not count:
        raise Unreadable(_("The file has no rows of measures under its header row."))
    return layout, dict(id_lines), count


def read_upload(upload, *, agreement, by):
    """An ImportBatch with one ImportRow per row of the uploaded file, or
    Unreadable with the reason the file as a whole was refused."""
    if contains_personnummer(upload.name or ""):
        # The name would be kept with the preview and in each measure's history.
        raise Unreadable(
            _(
                "The file's name seems to hold a personal identity number (personnummer). "
                "Rename the file and upload it again."
            )
        )
    sheet = open_sheet(upload)
    try:
        return _read(sheet, upload, agreement=agreement, by=by)
    finally:
        sheet.close()


def _read(sheet, upload, *, agreement, by):
    layout, id_lines, _count = _survey(sheet)
    checker = Checker(agreement=agreement, keys=layout.keys, id_lines=id_lines)
    ImportBatch.objects.expired().delete()
    counts = collections.Counter()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            agreement=agreement,
            created_by=by,
            file_name=(upload.name or "")[-255:],
            columns=sorted(layout.keys),
            notes=[str(note) for note in [*sheet.notes, *layout.notes()]],
        )
        pending = []
        _header, rows = _rows_of(sheet)
        for number, row in rows:
            cells = layout.cells(row)
            outcome = checker.check(number, cells)
            counts[outcome.kind] += 1
            pending.append(
                ImportRow(
                    batch=batch,
                    line=number,
                    kind=outcome.kind,
                    measure=outcome.measure,
                    title=outcome.title,
                    cells=cells,
                    changes=outcome.changes,
                    errors=outcome.errors,
                )
            )
            if len(pending) >= 500:
                ImportRow.objects.bulk_create(pending)
                pending = []
        ImportRow.objects.bulk_create(pending)
        _set_counts(batch, counts)
        batch.save(update_fields=["new_count", "changed_count", "unchanged_count", "error_count"])
    return batch


def _set_counts(batch, counts):
    batch.new_count = counts[ImportRow.Kind.NEW]
    batch.changed_count = counts[ImportRow.Kind.CHANGED]
    batch.unchanged_count = counts[ImportRow.Kind.UNCHANGED]
    batch.error_count = counts[ImportRow.Kind.ERROR]


# --- Confirming


class NotPending(Exception):
    """The batch was imported already, or has expired."""


class Stale(Exception):
    """The measures changed since the preview; the rows say how."""

    def __init__(self, outcomes):
        super().__init__("the preview no longer holds")
        self.outcomes = outcomes


def _check_again(batch, rows):
    id_lines = collections.defaultdict(list)
    for row in rows:
        pk = integer(row.cells.get("id"))
        if pk is not None:
            id_lines[pk].append(row.line)
    checker = Checker(agreement=batch.agreement, keys=set(batch.columns), id_lines=dict(id_lines))
    return [checker.check(row.line, row.cells) for row in rows]


def confirm(batch, *, by):
    """Save every row of the batch in one transaction, after checking each
    again against the measures as they are now. Returns the counts saved.

    The batch is claimed with a conditional UPDATE inside the transaction, so
    of two confirmations (a double click, two tabs) exactly one saves; a
    failure later rolls the claim back with everything else.
    """
    with transaction.atomic():
        claimed = (
            ImportBatch.objects.live()
            .filter(pk=batch.pk, status=ImportBatch.Status.PENDING, error_count=0)
            .update(status=ImportBatch.Status.APPLIED, applied_at=timezone.now())
        )
        if not claimed:
            raise NotPending
        rows = list(batch.rows.order_by("line"))
        outcomes = _check_again(batch, rows)
        stored = [
            {
                "kind": row.kind,
                "measure_id": row.measure_id,
                "changes": row.changes,
                "errors": row.errors,
            }
            for row in rows
        ]
        if stored != [outcome.as_stored() for outcome in outcomes]:
            raise Stale(outcomes)
        reason = (_("Imported from the file %(name)s") % {"name": batch.file_name})[:100]
        new = [o for o in outcomes if o.kind == ImportRow.Kind.NEW]
        changed = [o for o in outcomes if o.kind == ImportRow.Kind.CHANGED]
        services.measures_import(
            new=[(o.instance, o.areas) for o in new],
            changed=[(o.instance, o.measure.version, o.fields, o.areas) for o in changed],
            by=by,
            reason=reason,
        )
    return len(new), len(changed)


def refresh(batch, outcomes):
    """Store the rows as they check now, after Stale."""
    rows = {row.line: row for row in batch.rows.all()}
    counts = collections.Counter()
    for outcome in outcomes:
        row = rows[outcome.line]
        row.kind = outcome.kind
        row.measure = outcome.measure
        row.title = outcome.title
        row.changes = outcome.changes
        row.errors = outcome.errors
        counts[outcome.kind] += 1
    with transaction.atomic():
        ImportRow.objects.bulk_update(
            rows.values(), ["kind", "measure", "title", "changes", "errors"], batch_size=500
        )
        _set_counts(batch, counts)
        batch.save(update_fields=["new_count", "changed_count", "unchanged_count", "error_count"])


# --- The template


def _example_row(agreement, focus_area, area):
    start = agreement.valid_from
    end = min(start + datetime.timedelta(days=365), agreement.valid_until)
    return {
        "title": _("Night walks in the centre"),
        "focus_area": focus_area.name if focus_area else "",
        "responsible_party": str(Measure.Party.GEMENSAM.label),
        "responsible_unit": _("Culture and leisure department"),
        "areas": area.name if area else "",
        "kind": str(Measure.Kind.SOCIAL.label),
        "is_one_off": _("No"),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "cause": _("Young people feel unsafe in the centre on weekend evenings."),
        "description": _(
            "Adults from the associations walk in the centre on Friday and Saturday evenings."
        ),
        "operational_goal": _("Adults on the streets every weekend evening from spring."),
    }


def _instructions(agreement, focus_areas, areas):
    field = Measure._meta.get_field
    period = agreement.period_label
    yes_no = _("%(yes)s or %(no)s.") % {"yes": _("Yes"), "no": _("No")}
    choices = {
        key: _listing(str(text) for _value, text in field(key).choices)
        for key in ("kind", "responsible_party")
    }
    read_only = _(
        "Not imported: it follows the progress updates or is worked out by the app. "
        "The column may stay; it is ignored."
    )
    texts = {
        "id": _(
            "Empty for a new measure. For a measure already in the app: its ID, as the "
            "export gives it."
        ),
        "version": _(
            "With an ID: the version from the export. If someone has saved the measure "
            "since, the row is refused, so that no change is overwritten."
        ),
        "title": str(field("title").help_text) + " " + _("At most 200 characters."),
        "focus_area": _("One of: %(valid)s.") % {"valid": _listing(f.name for f in focus_areas)},
        "responsible_party": _("One of: %(valid)s.") % {"valid": choices["responsible_party"]},
        "responsible_unit": str(field("responsible_unit").help_text),
        "owner": _(
            "The name as the app shows it, or the user name, of someone in the "
            "municipality's or the police's role. May be empty."
        ),
        "areas": _("Districts separated by commas, from: %(valid)s. Empty: the whole municipality.")
        % {"valid": _listing(a.name for a in areas)},
        "kind": _("One of: %(valid)s.") % {"valid": choices["kind"]},
        "is_one_off": yes_no + " " + str(field("is_one_off").help_text),
        "start_date": _(
            "A date as YYYY-MM-DD, e.g. %(example)s, within the agreement's period %(period)s."
        )
        % {"example": agreement.valid_from.isoformat(), "period": period},
        "end_date": _(
            "A date as YYYY-MM-DD within the agreement's period %(period)s, not before the "
            "start date."
        )
        % {"period": period},
        "cause": str(field("cause").help_text),
        "description": str(field("description").help_text),
        "operational_goal": str(field("operational_goal").help_text),
    }
    for key, _label in exports.COLUMNS:
        if key in REQUIRED:
            required = _("Required")
        elif key in IMPORTED:
            required = _("Optional")
        else:
            required = _("Ignored")
        yield str(LABELS[key]), required, texts.get(key, read_only)


def template_workbook(agreement):
    """An Excel workbook to fill in: the export's columns with one example
    row, and a second sheet that explains each column and its values."""
    focus_areas = list(FocusArea.objects.filter(agreement=agreement).order_by("position", "name"))
    areas = list(Area.objects.order_by("name"))
    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet = workbook.active
    sheet.title = _("Measures")
    sheet.append(exports.headers())
    example = _example_row(
        agreement, focus_areas[0] if focus_areas else None, areas[0] if areas else None
    )
    sheet.append([str(example.get(key, "")) for key, _label in exports.COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[2]:
        cell.data_type = "s"  # text, never a formula
    for position, (key, _label) in enumerate(exports.COLUMNS, start=1):
        width = 40 if key in ("title", "cause", "description", "operational_goal") else 18
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Instructions"))
    guide.append([_("How to fill in the sheet")])
    guide["A1"].font = Font(bold=True, size=14)
    for line in [
        _("One row per measure, under the row of column names. Keep the column names."),
        _(
            "Only the first sheet is read. At most %(rows)s rows and %(size)s per file; "
            "save as Excel workbook (.xlsx) or CSV."
        )
        % {"rows": f"{MAX_ROWS:,}".replace(",", "\N{NO-BREAK SPACE}"), "size": "5 MB"},
        _(
            "Write values, not formulas, and do not merge cells. Write no personal "
            "identity numbers (personnummer) anywhere: measures concern groups and places."
        ),
        _(
            "To change measures already in the app, export them from the list of measures, "
            "edit the file and import it: the ID and version columns tie each row to its "
            "measure."
        ),
        "",
    ]:
        guide.append([line])
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for row in _instructions(agreement, focus_areas, areas):
        guide.append(list(row))
        for cell in guide[guide.max_row]:
            cell.alignment = wrap
            cell.data_type = "s"
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 14
    guide.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
