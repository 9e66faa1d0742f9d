"""HTTP as clients expect (issue 8, point 8): 405 for methods a page does not
handle, HEAD on the health check, and a health check that answers 503 within
about two seconds when the database does not, whatever the pool's timeout."""

import socket
import time

import pytest
from psycopg_pool import ConnectionPool

from haninge_samverkan import views as site_views
from tests.paths import app_paths


@pytest.fixture
def every_path(update, focus_area, jordbro):
    return sorted(app_paths(update.measure, update, focus_area, jordbro))


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_page_answers_405_to_methods_it_does_not_handle(client, admin, every_path, method):
    # The login page as its visitors see it, before they log in.
    response = getattr(client, method)("/accounts/login/")
    assert response.status_code == 405
    client.force_login(admin)
    for path in every_path:
        if path == "/accounts/login/":
            continue
        response = getattr(client, method)(path)
        assert response.status_code == 405, (method, path)
        assert "GET" in response["Allow"] or "POST" in response["Allow"], path


def test_pages_that_only_show_refuse_a_post_with_405(client, admin, every_path):
    client.force_login(admin)
    for path in ["/", "/measures/", "/reviews/", "/report/", "/measures/export.csv", "/healthz/"]:
        response = client.post(path)
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD"


def test_head_on_the_health_check_answers_200(client, db):
    response = client.head("/healthz/")
    assert response.status_code == 200


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Unreachable:
    """The database connection of a site whose database has gone away: its
    pool keeps the pages' timeout of 10 seconds."""

    def __init__(self):
        self.pool = ConnectionPool(
            f"host=127.0.0.1 port={_closed_port()} user=nobody connect_timeout=1",
            min_size=1,
            max_size=2,
            timeout=10,
            open=False,
        )


def test_the_health_check_answers_503_within_two_seconds_when_the_database_is_gone(
    client, db, monkeypatch
):
    unreachable = _Unreachable()
    monkeypatch.setattr(site_views, "connection", unreachable)
    try:
        started = time.monotonic()
        response = client.get("/healthz/")
        elapsed = time.monotonic() - started
    finally:
        unreachable.pool.close()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert elapsed < 2.8, elapsed
