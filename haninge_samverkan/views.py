import logging
import sys

import psycopg
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


# A load balancer asks often and gives up soon: the health check waits this
# long for a database connection, not the pool's timeout for pages.
HEALTH_TIMEOUT = 2.0


def _database_answers():
    pool = getattr(connection, "pool", None)  # Django's psycopg pool, on PostgreSQL
    if pool is not None:
        pool.open()
        with pool.connection(timeout=HEALTH_TIMEOUT) as conn:
            conn.execute("SELECT 1").fetchone()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """200 while the database answers, 503 within seconds when it does not."""
    try:
        _database_answers()
    except (DatabaseError, psycopg.Error):  # the pool's timeout is a psycopg error
        logger.warning("Health check: the database does not answer", exc_info=True)
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _render_plain(template_name, status):
    # Rendered without the request's context: the error may be that the
    # database is gone, and the context processors would ask it again.
    return HttpResponse(loader.get_template(template_name).render(), status=status)


@login_not_required
def server_error(request):
    """500, or 503 when the cause is a database that does not answer."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError):
        response = _render_plain("503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
