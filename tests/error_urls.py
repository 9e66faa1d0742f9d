"""A test-only URLconf: the app's own URLs and error handlers, plus views that fail."""

from django.db import OperationalError
from django.urls import path

from haninge_samverkan.urls import handler500
from haninge_samverkan.urls import urlpatterns as app_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def broken_view(request):
    raise RuntimeError("a bug in a view")


def database_gone_view(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [
    path("test-errors/bug/", broken_view),
    path("test-errors/database/", database_gone_view),
    *app_urlpatterns,
]
