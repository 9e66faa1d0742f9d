"""The steering group's report as a PDF, made on the server with WeasyPrint.

The same data as the report page (followup.report), drawn for A4 with the
agreement and period in a running header and page numbers in the footer.
A frozen meeting's PDF is made from its snapshot alone, so it is the same,
byte for byte, however the measures and people change later.
"""

from django.template.loader import render_to_string
from weasyprint import HTML

from . import report


def meeting_report(meeting, *, today):
    data = meeting.snapshot if meeting.is_frozen else report.for_meeting(meeting, today=today)
    html = render_to_string(
        "followup/meeting_report_pdf.html",
        {"m": data["meeting"], "r": report.present(data)},
    )
    return HTML(string=html).write_pdf()
