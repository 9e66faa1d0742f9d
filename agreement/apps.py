from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _swedish_collation(sender, connection, **kwargs):
    """SQLite knows no Swedish order; PostgreSQL has ICU's `sv-x-icu`."""
    if connection.vendor == "sqlite":
        from .models import SQLITE_SWEDISH, swedish_sort_key

        def compare(a, b):
            a, b = swedish_sort_key(a), swedish_sort_key(b)
            return (a > b) - (a < b)

        connection.connection.create_collation(SQLITE_SWEDISH, compare)


class AgreementConfig(AppConfig):
    name = "agreement"
    verbose_name = _("Agreement")

    def ready(self):
        connection_created.connect(_swedish_collation, dispatch_uid="agreement-swedish-collation")
