from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Measures")

    def ready(self):
        # Cached pages go stale with any write to the data they show; the one
        # place that listens is measures.freshness (see its docstring).
        from .freshness import on_write

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(on_write, dispatch_uid=f"freshness-{signal}")
