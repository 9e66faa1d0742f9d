"""Reading the measures' list (/measures/) the way a person scans it."""

import re

# A row's cells: the bulk edit's checkbox (for those who may edit), then the title.
ROW_TITLE = re.compile(
    r'<tr>\s*(?:<td class="select">.*?</td>\s*)?'
    r'<td class="col-title"><a href="/measures/\d+/">([^<]+)</a>'
)


def listed_titles(html):
    """The measures' titles in the list's table, in order."""
    return ROW_TITLE.findall(html)
