import logging
import sys

import psycopg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


# A load balancer asks often and gives up soon: the health check waits this
# long for a database connection, not the pool's timeout for pages.
HEALTH_TIMEOUT = 2.0


def _database_answers():
    pool = getattr(connection, "pool", None)  # Django's psycopg pool, on PostgreSQL
    if pool is not None and connection.connection is None:
        # Borrow a connection from the pool with the health check's patience,
        # not the pages'. A worker serves one request at a time.
        patience, pool.timeout = pool.timeout, HEALTH_TIMEOUT
        try:
            connection.ensure_connection()
        finally:
            pool.timeout = patience
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the link in the e-mail built on
    SITE_URL like every other e-mail of the app (not on the request's Host
    header), and the same answer whether or not the address is known."""

    email_template_name = "email/password_reset.txt"
    html_email_template_name = "email/password_reset.html"
    subject_template_name = "email/password_reset_subject.txt"
    http_method_names = ["get", "head", "post"]

    @property
    def extra_email_context(self):
        return {
            "site_url": settings.SITE_URL.rstrip("/"),
            "valid_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
        }


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view answers a link that does not work before it looks at the
    method; the app answers 405 to methods it does not handle, there too."""

    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)
