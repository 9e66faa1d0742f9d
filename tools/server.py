"""gunicorn on loopback for the benchmark and the load test: the same
production-like settings for both, plain HTTP, no access log."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(port, database_url, workers):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "http://127.0.0.1",
            "EMAIL_URL": "dummymail://",
            "DEFAULT_FROM_EMAIL": "samverkan@example.invalid",
            # Plain HTTP on loopback: no TLS proxy in front here.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_MANIFEST": "false",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_CMD_ARGS": "--log-level warning",
        }
    )
    return env


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


@contextlib.contextmanager
def gunicorn(env):
    """A running gunicorn with `env`; yields its base URL."""
    base = "http://" + env["GUNICORN_BIND"]
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env)
    try:
        wait_for(f"{base}/healthz/")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
