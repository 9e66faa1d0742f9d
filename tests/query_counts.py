"""Counting a page's queries the way the pinned figures are read."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.freshness import data_changed


def made_anew_and_again(client, path):
    """(queries when the page is made anew just after a write, queries when
    it is asked for again with its cached parts)."""
    assert client.get(path).status_code == 200  # warms any per-process cache
    data_changed()  # as after any write: cached parts are made anew
    with CaptureQueriesContext(connection) as cold:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(path).status_code == 200
    return len(cold), len(warm)
