"""What a newcomer types (issue 8, point 10): `make run` takes a port, and
`make test` fetches axe-core itself so the accessibility tests do not
silently skip. Read with `make -n`, which prints what would run."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dry_run(*args):
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_serves_on_the_port_given():
    assert "runserver 127.0.0.1:8001" in dry_run("run", "PORT=8001")
    assert "runserver 127.0.0.1:8000" in dry_run("run")


def test_make_test_installs_axe_core_when_npm_is_there():
    out = dry_run("test")
    assert "npm ci" in out
    assert out.index("npm ci") < out.index("pytest")
