"""The steering group's report as a PDF, made on the server with WeasyPrint.

The same data as the report page (followup.report), drawn for A4 with the
agreement and period in a running header and page numbers in the footer.
A frozen meeting's PDF is made from its snapshot alone, so it is the same,
byte for byte, however the measures and people change later; it is made
once and then kept in the cache under the database, the meeting and the
moment it was frozen. A draft's PDF is made anew each time, as the report stands.
"""

from django.template.loader import render_to_string
from weasyprint import HTML

from measures.freshness import database_epoch, kept

from . import report

# A frozen PDF never changes; a week in the cache spares WeasyPrint's
# seconds for everyone who downloads it before and after the meeting.
FROZEN_PDF_TIMEOUT = 7 * 24 * 60 * 60


def meeting_report(meeting, *, today, holder=None):
    if not meeting.is_frozen:
        return _pdf(report.for_meeting(meeting, today=today))
    epoch = database_epoch(holder)
    key = f"meeting-pdf:{epoch}:{meeting.pk}:{meeting.frozen_at.isoformat()}"
    return kept(key, lambda: _pdf(meeting.snapshot), timeout=FROZEN_PDF_TIMEOUT)


def _pdf(data):
    html = render_to_string(
        "followup/meeting_report_pdf.html",
        {"m": data["meeting"], "r": report.present(data)},
    )
    return HTML(string=html).write_pdf()
