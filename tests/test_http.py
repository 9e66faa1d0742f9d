"""HTTP as clients expect (issue 8, point 8): 405 for methods a page does not
handle, HEAD on the health check, and a health check that answers 503 within
about two seconds when the database does not, whatever the pool's timeout."""

import socket
import time

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper

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


def _unreachable_connection():
    """Django's connection to a PostgreSQL that has gone away, through the
    psycopg pool with the pages' timeout of 10 seconds."""
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "gone",
        "USER": "nobody",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_closed_port()),
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 2, "timeout": 10}},
        "CONN_MAX_AGE": 0,
    }
    return DatabaseWrapper(settings, alias="gone")


def test_the_health_check_answers_503_within_two_seconds_when_the_database_is_gone(
    client, db, monkeypatch
):
    unreachable = _unreachable_connection()
    monkeypatch.setattr(site_views, "connection", unreachable)
    try:
        started = time.monotonic()
        response = client.get("/healthz/")
        elapsed = time.monotonic() - started
    finally:
        unreachable.close_pool()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert elapsed < 2.8, elapsed
