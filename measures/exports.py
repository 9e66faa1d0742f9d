"""CSV and Excel exports of the filtered list of measures, flags as columns."""

import csv
import io
import re

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .filters import MeasureFilter
from .freshness import current_agreement
from .models import FLAGS, Measure
from .roles import person_name
from .spreadsheet import FORMULA_START

# Control characters no spreadsheet file may hold. Forms refuse them, but
# older or imported rows may carry one, and an export must never fail on
# what is stored.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The export's columns in order, by a key of their own; the import reads the
# same headers (see imports.IMPORTED for which of them it takes).
COLUMNS = [
    ("id", gettext_lazy("ID")),
    # Guards an import of the file against overwriting later changes.
    ("version", gettext_lazy("Version")),
    ("title", gettext_lazy("Title")),
    ("focus_area", gettext_lazy("Focus area")),
    ("status", gettext_lazy("Status")),
    ("responsible_party", gettext_lazy("Responsible party")),
    ("responsible_unit", gettext_lazy("Responsible unit")),
    ("owner", gettext_lazy("Contact person")),
    ("areas", gettext_lazy("Districts")),
    ("kind", gettext_lazy("Kind")),
    ("is_one_off", gettext_lazy("One-off effort")),
    ("start_date", gettext_lazy("Start date")),
    ("end_date", gettext_lazy("End date")),
    ("last_reported_on", gettext_lazy("Latest report")),
    ("latest_progress", gettext_lazy("Progress (%)")),
    ("latest_assessment", gettext_lazy("Assessment")),
    ("is_archived", gettext_lazy("Archived")),
    *[(f"flag_{name}", label) for name, label in FLAGS.items()],
    ("cause", gettext_lazy("Cause")),
    ("description", gettext_lazy("Measure")),
    ("operational_goal", gettext_lazy("Operational goal")),
]


def neutralise(value):
    """A text cell that no spreadsheet will run as a formula and every file can
    hold. Text that already starts with an apostrophe gets one too, so that
    the import can always tell the guard from the text."""
    if isinstance(value, str):
        value = _UNWRITABLE.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def headers():
    return [str(label) for _key, label in COLUMNS]


def _rows(queryset):
    yes, no = _("Yes"), _("No")
    for m in queryset.iterator(chunk_size=1000):
        yield [
            m.pk,
            m.version,
            m.title,
            m.focus_area.name,
            m.get_status_display(),
            m.get_responsible_party_display(),
            m.responsible_unit,
            person_name(m.owner) if m.owner else "",
            ", ".join(a.name for a in m.areas.all()),
            m.get_kind_display(),
            yes if m.is_one_off else no,
            m.start_date.isoformat(),
            m.end_date.isoformat(),
            m.last_reported_on.isoformat() if m.last_reported_on else "",
            "" if m.latest_progress is None else m.latest_progress,
            str(m.assessment_label()),
            yes if m.is_archived else no,
            *[yes if getattr(m, f"flag_{name}") else no for name in FLAGS],
            m.cause,
            m.description,
            m.operational_goal,
        ]


def _filtered(request):
    today = timezone.localdate()
    queryset = Measure.objects.for_listing(today).prefetch_related("areas")
    filterset = MeasureFilter(
        request.GET or None,
        queryset=queryset,
        agreement=current_agreement(request),
    )
    return filterset.qs


def _filename(extension):
    return f"atgarder-{timezone.localdate().isoformat()}.{extension}"


class _Echo:
    def write(self, value):
        return value


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def export_csv(request):
    """Streams: rows are written as they are read, so no export sits in memory whole."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        # The byte order mark makes Excel read the file as UTF-8.
        yield "\ufeff" + writer.writerow(headers())
        for row in _rows(_filtered(request)):
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@require_safe
@permission_required("measures.view_measure", raise_exception=True)
def export_xlsx(request):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Measures"))
    bold = Font(bold=True)
    header = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(_filtered(request)):
        cells = []
        for value in row:
            if isinstance(value, str):
                value = _UNWRITABLE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # Stored as a text cell, never a formula: openpyxl would
                # otherwise write "=…" as one. Excel shows it as typed.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
