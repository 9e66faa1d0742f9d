from django.conf import settings
from django.core.checks import Tags, Warning, register

from .reminders import site_url_error


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """The links in e-mails are built on SITE_URL: in production it must be
    the app's own absolute https address."""
    problem = site_url_error(settings.SITE_URL)
    if problem:
        return [Warning(problem, id="followup.W001")]
    if not settings.SITE_URL.startswith("https://"):
        return [
            Warning(
                f"SITE_URL {settings.SITE_URL!r} is not an https address: links in e-mails "
                "would send people to the app without TLS.",
                id="followup.W002",
            )
        ]
    return []
