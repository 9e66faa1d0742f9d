"""Headers and cookies (issue 5, point 2): Content-Security-Policy without
'unsafe-inline', X-Frame-Options, Referrer-Policy, nosniff, HttpOnly and Secure
cookies, and HSTS, SSL redirect and the proxy header in production.

The production checks run in a subprocess with production environment values,
since the suite's own environment (pytest.ini) turns the TLS settings off.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"
PASSWORD = "a long enough password 1"

# Keys the suite's environment sets (pytest.ini) or that change production
# behaviour; a production subprocess starts without them.
_SUITE_KEYS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "STATIC_MANIFEST",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
}


def production_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in _SUITE_KEYS}
    env.update(
        DJANGO_SETTINGS_MODULE="haninge_samverkan.settings",
        # The project's .env (a developer's DEBUG=true) must not win: set it here.
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="samverkan.haninge.se",
        CSRF_TRUSTED_ORIGINS="https://samverkan.haninge.se",
        SITE_URL="https://samverkan.haninge.se",
        EMAIL_URL="smtp+tls://samverkan:secret@smtp-relay.haninge.se:587",
        DEFAULT_FROM_EMAIL="Samverkan Haninge <samverkan@haninge.se>",
    )
    env.update(extra)
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_settings(env):
    """The values of a few settings as production loads them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({"
        "'DEBUG': s.DEBUG, "
        "'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, "
        "'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS, "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, "
        "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, "
        "'SECURE_PROXY_SSL_HEADER': s.SECURE_PROXY_SSL_HEADER}))"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Content-Security-Policy and the other response headers


def _directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return header, directives


@pytest.fixture
def login_page(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    return response


@pytest.fixture
def logged_in_page(client, officer, measure):
    client.force_login(officer)
    response = client.get(f"/measures/{measure.pk}/")
    assert response.status_code == 200
    return response


@pytest.fixture(params=["login", "logged_in"])
def served(request, db):
    return request.getfixturevalue(
        {"login": "login_page", "logged_in": "logged_in_page"}[request.param]
    )


def test_csp_allows_only_the_site_itself(served):
    header, directives = _directives(served)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "*" not in header


def test_pages_carry_no_inline_script_or_style_that_the_policy_would_block(served):
    """The policy has no 'unsafe-inline', so the pages must not need it."""
    content = served.content.decode()
    assert "<script>" not in content
    assert "<style" not in content
    assert " style=" not in content
    assert " onclick=" not in content


def test_frames_are_refused(served):
    assert served["X-Frame-Options"] == "DENY"


def test_referrer_policy_keeps_addresses_on_the_site(served):
    assert served["Referrer-Policy"] == "same-origin"


def test_content_types_are_not_sniffed(served):
    assert served["X-Content-Type-Options"] == "nosniff"


def test_cross_origin_opener_policy(served):
    assert served["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_carry_the_policy_too(client, db):
    response = client.get("/accounts/no-such-page/")
    assert response.status_code == 404
    _header, directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


# --- Cookies


def _login(client):
    client.get(LOGIN)
    return client.post(LOGIN, {"username": "officer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")


def test_csrf_cookie_is_httponly_and_samesite(client, db):
    response = client.get(LOGIN)
    cookie = response.cookies["csrftoken"]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_session_cookie_is_httponly_and_samesite(client, officer):
    response = _login(client)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookies_are_secure_with_production_values(client, officer, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    csrf = client.get(LOGIN, secure=True).cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    response = client.post(
        LOGIN,
        {"username": "officer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True


def test_production_defaults_make_the_cookies_secure():
    values = _production_settings(production_env())
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


# --- HSTS and the SSL redirect: in process with production values ...


def test_plain_http_is_redirected_to_https_with_production_values(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(LOGIN)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{LOGIN}"


def test_hsts_is_sent_over_https_with_production_values(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(LOGIN, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_healthz_answers_plain_http_for_the_load_balancer(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz/")
    assert response.status_code == 200


# --- ... and as production loads its settings


def test_check_deploy_passes_with_production_values():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_tls_settings():
    """The check above can fail: turning off the redirect and HSTS is reported."""
    env = production_env(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


def test_production_redirects_to_https_and_sends_hsts_for_a_year():
    values = _production_settings(production_env())
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_proxy_ssl_header_is_off_unless_the_environment_asks_for_it():
    values = _production_settings(production_env())
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_proxy_ssl_header_comes_from_the_environment():
    values = _production_settings(production_env(SECURE_PROXY_SSL_HEADER="true"))
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_forwarded_proto_counts_only_behind_a_trusted_proxy(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    # Without the setting a forged X-Forwarded-Proto does not pass for TLS ...
    settings.SECURE_PROXY_SSL_HEADER = None
    response = client.get(LOGIN, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    # ... with it (a TLS-terminating proxy in front), it does.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get(LOGIN, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
