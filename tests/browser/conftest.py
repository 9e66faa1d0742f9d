"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's
live server, and axe-core checks the rendered pages against WCAG 2.1 AA.

Chromium and axe-core come from outside pip (apt and npm). Where they are
missing the browser tests are skipped with the reason in pytest's summary,
except under CI=true, where a missing browser fails the run: CI must not go
green without having looked at a single page.

CHROMIUM_PATH and AXE_CORE_PATH point at other copies (e.g. on a Mac).
"""

import importlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_JS = Path(os.environ.get("AXE_CORE_PATH", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Swedish interface, so date inputs read as the app writes dates (ÅÅÅÅ-MM-DD).
    "--lang=sv-SE",
]
# Data migrations whose rows the browser tests' flushed database needs back.
SEEDING_MIGRATIONS = [
    "agreement.migrations.0002_haninge_agreement",
    "agreement.migrations.0005_haninge_tertials",
]
PASSWORD = "a long enough password 1"  # the fixture users' password, tests/conftest.py


def _in_ci():
    return os.environ.get("CI", "").strip().lower() == "true"


def _missing(*, axe):
    """What this machine lacks for a browser test (and for axe, if asked)."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    if axe and not AXE_JS.is_file():
        missing.append(f"axe-core at {AXE_JS} (npm ci, or set AXE_CORE_PATH)")
    return missing


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last, and skip those this machine cannot run.

    Last: they use a transactional database, which is emptied after each test.
    pytest-django puts such tests after the others, but pytest then groups
    tests by pytest-playwright's session-scoped browser parameter, which can
    pull them forward among tests that expect the migrations' data.

    Under CI=true nothing is skipped here; `_browser_required_in_ci` fails them.
    """
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    others = [item for item in items if not item.get_closest_marker("browser")]
    items[:] = others + browser_items
    if _in_ci():
        return
    for item in browser_items:
        missing = _missing(axe="axe" in item.fixturenames)
        if missing:
            item.add_marker(pytest.mark.skip(reason="browser test needs " + "; ".join(missing)))


@pytest.fixture(scope="session", autouse=True)
def _browser_required_in_ci():
    """Under CI=true a missing Chromium or axe-core is an error, not a skip.

    Session-scoped and autouse, so it runs before pytest-playwright launches
    the browser and the failure names what is missing."""
    missing = _missing(axe=True)
    if missing and _in_ci():
        pytest.fail("CI=true, so the browser tests must run, but it lacks " + "; ".join(missing))


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread,
    and Django refuses ORM calls from a thread with a running loop. These
    tests mix the two on purpose (set up data, then drive the browser), one
    thread at a time.

    Session-scoped, so it also covers the database flush after each test; it
    starts with the first browser test, and those run last (see above), so
    the rest of the suite keeps Django's protection. In deployment the
    variable is an error of `check --deploy`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _seeded(_orm_beside_playwright, transactional_db):
    """The data the migrations seed: the Haninge agreement, its focus areas,
    the districts and the two groups with their permissions.

    Browser tests run on a transactional database, which is emptied after
    each test, so each test puts that data back with the migrations' own
    idempotent functions.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # A flush after a test with serialized_rollback skips post_migrate, which
    # is what makes the content types and permissions.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for migration in SEEDING_MIGRATIONS:
        importlib.import_module(migration).create(apps, None)
    importlib.import_module("measures.migrations.0002_roles").assign_permissions(apps)
    importlib.import_module("followup.migrations.0002_roles").assign_permissions(apps)
    importlib.import_module("measures.migrations.0012_chain_roles").assign_permissions(apps)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in page.goto() go to the live server. (Overriding this also
    keeps pytest-playwright's own base_url fixture, which pytest 9 warns about,
    out of the run.)"""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The app's Content-Security-Policy allows no injected script; axe needs one.
    return {
        **browser_context_args,
        "bypass_csp": True,
        "locale": "sv-SE",
        "timezone_id": "Europe/Stockholm",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    """Fail in seconds, not Playwright's default 30: every page here is local."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)


@pytest.fixture
def login(page):
    """Log in through the real login form and land on the overview."""

    def log_in(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Användarnamn").fill(user.get_username())
        page.get_by_label("Lösenord").fill(password)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url("/")
        return page

    return log_in


def format_violations(violations):
    """axe's violations as lines a developer can act on."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def axe(page):
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it stands now."""

    def run():
        page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', "
            "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        # An axe that checked nothing would pass every page.
        assert results["passes"], "axe-core ran no checks"
        return results["violations"]

    return run


LAYOUT_JS = (Path(__file__).parent / "layout.js").read_text(encoding="utf-8")


@pytest.fixture
def layout(page):
    """Resize the window to `width` and say what does not fit: the page
    scrolling sideways, content cut off, and boxes that scroll sideways."""

    def at(width):
        page.set_viewport_size({"width": width, "height": 900})
        # tables.js decides on resize, in the next animation frame.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        return page.evaluate(LAYOUT_JS)

    return at
