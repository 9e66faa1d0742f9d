"""E-mail settings: EMAIL_URL through django-environ, DEFAULT_FROM_EMAIL and
SITE_URL; console e-mail on a developer's machine, and in production each
required and SITE_URL checked by `check --deploy`. Each case runs Django in a
subprocess with that environment, as a server would start."""

import json

import pytest

from .test_security_headers import _run, production_env

CHECK_DEPLOY = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def _email_settings(env):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', "
        "'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_TIMEOUT', "
        "'DEFAULT_FROM_EMAIL', 'SERVER_EMAIL', 'SITE_URL']}))"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_through_the_relay_in_email_url_with_starttls():
    values = _email_settings(production_env())
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp-relay.haninge.se",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "samverkan",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 30,
        "DEFAULT_FROM_EMAIL": "Samverkan Haninge <samverkan@haninge.se>",
        "SERVER_EMAIL": "Samverkan Haninge <samverkan@haninge.se>",
        "SITE_URL": "https://samverkan.haninge.se",
    }


def test_implicit_tls_on_port_465():
    values = _email_settings(production_env(EMAIL_URL="smtp+ssl://smtp-relay.haninge.se:465"))
    assert (values["EMAIL_USE_SSL"], values["EMAIL_USE_TLS"], values["EMAIL_PORT"]) == (
        True,
        False,
        465,
    )


def test_a_developer_machine_prints_emails_in_the_terminal():
    env = production_env(DEBUG="true")
    for key in ("EMAIL_URL", "DEFAULT_FROM_EMAIL", "SITE_URL"):
        env.pop(key)
    values = _email_settings(env)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["SITE_URL"] == "http://127.0.0.1:8000"


@pytest.mark.parametrize("missing", ["EMAIL_URL", "DEFAULT_FROM_EMAIL", "SITE_URL"])
def test_production_refuses_to_start_without_each_email_setting(missing):
    env = production_env()
    env.pop(missing)
    result = _run(CHECK_DEPLOY, env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_check_deploy_reports_a_site_url_without_scheme():
    result = _run(CHECK_DEPLOY, production_env(SITE_URL="samverkan.haninge.se"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "followup.W001" in output
    assert "give it with its scheme, e.g. https://samverkan.haninge.se" in output


def test_check_deploy_reports_a_site_url_without_tls():
    result = _run(CHECK_DEPLOY, production_env(SITE_URL="http://samverkan.haninge.se"))
    assert result.returncode != 0
    assert "followup.W002" in result.stdout + result.stderr


def test_send_reminders_with_a_date_that_is_no_date_exits_non_zero():
    result = _run(["manage.py", "send_reminders", "--today", "2026-02-30"], production_env())
    assert result.returncode == 2
    assert "'2026-02-30' is not a date; give it as YYYY-MM-DD" in result.stderr
