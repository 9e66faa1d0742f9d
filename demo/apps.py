from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and demo accounts for trying the app (`make run`); nothing in
    the running app needs it."""

    name = "demo"
    verbose_name = "Demo"
