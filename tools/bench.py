"""`make bench`: how every page and export scales from 50 to 5,000 measures,
what a real server serves of them per second, and how long an import of
5,000 rows takes.

Builds a throwaway database (SQLite by default, PostgreSQL when DATABASE_URL
points there), fills it with demo data at each size with 10 progress updates
per measure, requests every page 30 times through Django's test client (in
three rounds over all pages) and prints queries per request, median and p95
time, and the ratio between the sizes. At 5,000 measures it starts gunicorn
(2 workers, never recycled during the run) on loopback and drives the main
pages with wrk, side by side with /healthz/ (one query, the stack's floor)
and the admin's changelist in the same run. Then it imports
files of 5,000 rows through /measures/import/: the export of all 5,000
measures with a tenth of them edited, and 5,000 new rows as CSV and as Excel,
timing the reading and checking of each (the preview), and then the
confirmation that saves the new rows. Nothing is asserted about time: the
figures are for people to read.
"""

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from tools import server

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "50,5000").split(","))
REPEAT = 30
# The requests of each page are spread over this many rounds of all pages.
ROUNDS = 3
# The exports are linear by nature: their time per measure needs few timings.
EXPORT_REPEAT = 9
# The frozen PDF is made once (slowly, by WeasyPrint) and then kept: a few timings suffice.
PDF_REPEAT = 5
UPDATES_PER_MEASURE = 10
IMPORT_REPEAT = 3
# The throughput run: gunicorn's workers, wrk's connections and seconds per page.
WORKERS = 2
CONNECTIONS = 4
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))


def _environment():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haninge_samverkan.settings")
    os.environ.setdefault("SECRET_KEY", "only-for-the-benchmark")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Production requires the e-mail settings; the benchmark sends nothing.
    os.environ.setdefault("SITE_URL", "http://testserver")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "samverkan@example.invalid")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ.setdefault("DEBUG", "false")


def _percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(share * (len(ordered) - 1)))
    return ordered[index]


def _empty_tables():
    from agreement.models import CitizenPromise, Indicator, SituationReport
    from followup.models import Decision, Meeting
    from measures.models import Measure, ProgressUpdate, Review

    # The demo data's decisions protect the measures they concern.
    Decision.objects.all().delete()
    Meeting.objects.all().delete()
    Measure.problems.through.objects.all().delete()
    Measure.indicators.through.objects.all().delete()
    Measure.promises.through.objects.all().delete()
    Indicator.objects.all().delete()
    CitizenPromise.objects.all().delete()
    SituationReport.objects.all().delete()
    Review.objects.all().delete()
    ProgressUpdate.objects.all().delete()
    Measure.areas.through.objects.all().delete()
    Measure.history.model.objects.all().delete()
    Measure.objects.all().delete()


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _first(client, path):
    """(queries, ms) of a page's first request, which warms the caches and the
    connection, then its queries asked for again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    _get(client, path)
    cold = (time.perf_counter() - start) * 1000
    with CaptureQueriesContext(connection) as queries:
        _get(client, path)
    # Counted now: later requests empty the connection's query log.
    return len(queries), cold


def _time_pages(clients, pages):
    """Each page's timings in ms, taken in ROUNDS rounds over all the pages,
    so that a moment when the machine is busy falls on every page alike
    rather than on the few timed then."""
    timings = {label: [] for label, *_rest in pages}
    for _round in range(ROUNDS):
        for label, path, who, repeat in pages:
            for _ in range(max(1, repeat // ROUNDS)):
                start = time.perf_counter()
                _get(clients[who], path)
                timings[label].append((time.perf_counter() - start) * 1000)
    return timings


def _pages():
    """Every page and export a user reads, as (label, path, who, repeat):
    the municipal staff's, and the review queue as a police liaison."""
    from agreement.models import Indicator
    from followup.models import Meeting
    from measures.models import Measure

    sample = Measure.objects.filter(is_archived=False, updates__isnull=False).order_by("pk").first()
    period = _period()
    frozen = Meeting.objects.filter(frozen_at__isnull=False).order_by("-held_on").first()
    indicator = Indicator.objects.order_by("pk").first()
    pages = [
        ("/", "/", "staff"),
        ("/agreement/", "/agreement/", "staff"),
        ("/focus-areas/<slug>/", "/focus-areas/offentlig-miljo/", "staff"),
        ("/areas/<slug>/", "/areas/jordbro/", "staff"),
        (
            "/focus-areas/<slug>/timeline/",
            "/focus-areas/offentlig-miljo/timeline/",
            "staff",
        ),
        ("/measures/", "/measures/", "staff"),
        ("/measures/?flag=overdue", "/measures/?flag=overdue", "staff"),
        ("/measures/<id>/", f"/measures/{sample.pk}/", "staff"),
        ("/measures/<id>/edit/", f"/measures/{sample.pk}/edit/", "staff"),
        ("/reviews/", "/reviews/", "police"),
        ("/periods/", "/periods/", "staff"),
        ("/periods/<id>/", f"/periods/{period.pk}/", "staff"),
        ("/report/?period=<id>", f"/report/?period={period.pk}", "staff"),
        ("/report/?period=<id>&detail=1", f"/report/?period={period.pk}&detail=1", "staff"),
        ("/meetings/", "/meetings/", "staff"),
        ("/meetings/<id>/", f"/meetings/{frozen.pk}/", "staff"),
        ("/situation/", "/situation/", "staff"),
        ("/indicators/", "/indicators/", "staff"),
        ("/indicators/<id>/", f"/indicators/{indicator.pk}/", "staff"),
        ("/promises/", "/promises/", "staff"),
        ("/measures/export.csv", "/measures/export.csv", "staff"),
        ("/measures/export.xlsx", "/measures/export.xlsx", "staff"),
        ("/meetings/<id>/report.pdf", f"/meetings/{frozen.pk}/report.pdf", "staff"),
    ]
    return [(label, path, who, _repeat(path)) for label, path, who in pages]


def _repeat(path):
    if path.endswith(".pdf"):
        return PDF_REPEAT
    if "/export." in path:
        return EXPORT_REPEAT
    return REPEAT


def _period():
    """The period reports are due for today, as the overview shows it."""
    from agreement.models import ReportingPeriod

    return ReportingPeriod.objects.for_reporting()


def _database_url():
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    at = "@" if user else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    host = settings["HOST"] or "localhost"
    return f"postgres://{user}{password}{at}{host}{port}/{settings['NAME']}"


def _wrk(url, cookie):
    completed = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = completed.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        raise SystemExit(f"{url} answered {bad.group(1)} requests with an error")
    return rate


def _throughput(client, admin_client):
    """Requests per second under gunicorn, page by page, with /healthz/ as the
    floor; None when wrk is not installed."""
    if not shutil.which("wrk"):
        return None
    period = _period()
    user = f"sessionid={client.cookies['sessionid'].value}"
    admin = f"sessionid={admin_client.cookies['sessionid'].value}"
    targets = [
        ("/healthz/", "/healthz/", user),
        ("/", "/", user),
        ("/agreement/", "/agreement/", user),
        ("/focus-areas/<slug>/", "/focus-areas/offentlig-miljo/", user),
        ("/areas/<slug>/", "/areas/jordbro/", user),
        ("/measures/", "/measures/", user),
        ("/report/?period=<id>", f"/report/?period={period.pk}", user),
        ("/admin/measures/measure/", "/admin/measures/measure/", admin),
    ]
    env = server.environment(server.free_port(), _database_url(), WORKERS)
    env["GUNICORN_MAX_REQUESTS"] = "0"  # no worker starts anew in the middle of a page
    rates = {}
    with server.gunicorn(env) as base:
        for label, path, cookie in targets:
            _wrk(base + path, cookie)  # warm each worker's cache
            rates[label] = _wrk(base + path, cookie)
    return rates


def _print_throughput(rates, size):
    print()
    if rates is None:
        print("Throughput: skipped, wrk is not installed (apt-get install wrk).")
        return
    print(
        f"Throughput at {size} measures: gunicorn with {WORKERS} workers on loopback, "
        f"wrk with {CONNECTIONS} connections for {SECONDS} s per page"
    )
    floor = rates["/healthz/"]
    print(f"{'page':<32}{'requests/s':>12}{'of /healthz/':>14}")
    print("-" * 58)
    for label, rate in rates.items():
        print(f"{label:<32}{rate:>12.1f}{rate / floor:>13.0%}")


def _import_files(client):
    """The files of the import benchmark, as (label, name, content)."""
    import csv
    import io

    import openpyxl

    response = client.get("/measures/export.csv", {"archived": "1"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    title = header.index("Titel")
    for number, row in enumerate(body):
        if number % 10 == 0:
            row[title] = (row[title] + " (reviderad)")[:200]
    edited = io.StringIO(newline="")
    csv.writer(edited, delimiter=";").writerows([header, *body])

    new_header = [h for h in header if h not in ("ID", "Version")]
    positions = [header.index(h) for h in new_header]
    new_rows = [[row[i] for i in positions] for row in body]
    new_csv = io.StringIO(newline="")
    csv.writer(new_csv, delimiter=";").writerows([new_header, *new_rows])
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Åtgärder")
    sheet.append(new_header)
    for row in new_rows:
        sheet.append(row)
    new_xlsx = io.BytesIO()
    workbook.save(new_xlsx)

    # The Excel export, edited as Excel would: the other cells as they were.
    response = client.get("/measures/export.xlsx", {"archived": "1"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    for number, cells in enumerate(workbook.active.iter_rows(min_row=2)):
        if number % 10 == 0:
            cells[title].value = (cells[title].value + " (reviderad)")[:200]
    edited_xlsx = io.BytesIO()
    workbook.save(edited_xlsx)
    return [
        (
            f"export, {len(body) // 10} of {len(body)} rows edited (CSV)",
            "export.csv",
            ("\ufeff" + edited.getvalue()).encode(),
        ),
        (
            f"export, {len(body) // 10} of {len(body)} rows edited (Excel)",
            "export.xlsx",
            edited_xlsx.getvalue(),
        ),
        (f"{len(new_rows)} new rows (CSV)", "new.csv", new_csv.getvalue().encode()),
        (f"{len(new_rows)} new rows (Excel)", "new.xlsx", new_xlsx.getvalue()),
    ]


def _bench_import(client):
    """Median seconds to read and check each file; then the confirmation of
    the new rows. Returns printable lines."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from measures.models import ImportBatch

    lines = []
    last = None
    for label, name, content in _import_files(client):
        timings = []
        for _ in range(IMPORT_REPEAT):
            upload = SimpleUploadedFile(name, content)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.post("/measures/import/", {"file": upload})
                timings.append(time.perf_counter() - start)
            if response.status_code != 302:
                raise SystemExit(f"the import of {name} answered {response.status_code}")
        last = ImportBatch.objects.order_by("-pk").first()
        lines.append(
            f"  read and check {label:<42}{statistics.median(timings):>7.2f} s"
            f"  {len(content) / 1024 / 1024:>4.1f} MB, {len(queries)} queries,"
            f" {last.error_count} rows with errors"
        )
    start = time.perf_counter()
    response = client.post(f"/measures/import/{last.pk}/confirm/")
    elapsed = time.perf_counter() - start
    if response.status_code != 302 or ImportBatch.objects.get(pk=last.pk).status != "applied":
        raise SystemExit("the confirmation of the import did not save")
    lines.append(f"  confirm and save {last.new_count} new measures{'':<21}{elapsed:>7.2f} s")
    return lines


def _stop_on_sigterm():
    # So an interrupted run still drops its throwaway database.
    import signal

    def stop(signum, frame):
        raise SystemExit(1)

    signal.signal(signal.SIGTERM, stop)


def main():
    _environment()
    _stop_on_sigterm()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import DatabaseError, connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from demo import data as demo
    from measures.roles import MUNICIPAL_STAFF, POLICE_LIAISON

    setup_test_environment()
    vendor = connection.vendor
    settings_dict = connection.settings_dict
    if vendor == "sqlite":
        # A file, not memory, so the figures resemble a real SQLite database.
        settings_dict["TEST"]["NAME"] = os.path.join(
            tempfile.gettempdir(), f"haninge-bench-{os.getpid()}.sqlite3"
        )
    else:
        settings_dict["TEST"]["NAME"] = f"{settings_dict['NAME']}_bench_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Benchmark database: {vendor}, {connection.settings_dict['NAME']}")
    results = {}
    try:
        User = get_user_model()
        staff = User.objects.create_user("bench", password=None)
        staff.groups.add(Group.objects.get(name=MUNICIPAL_STAFF))
        police = User.objects.create_user("bench-police", password=None)
        police.groups.add(Group.objects.get(name=POLICE_LIAISON))
        admin = User.objects.create_superuser("bench-admin", password=None)
        clients = {}
        for who, user in (("staff", staff), ("police", police), ("admin", admin)):
            clients[who] = Client()
            clients[who].force_login(user)
        client = clients["staff"]
        for size in SIZES:
            _empty_tables()
            started = time.perf_counter()
            demo.seed(measures=size, updates_per_measure=UPDATES_PER_MEASURE, seed=7)
            # Fresh statistics, as autovacuum would have made them in a live
            # database; without them the planner guesses from empty tables.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
                if vendor == "postgresql":
                    # The seeding's writes go to disk now, not during the
                    # timings (a superuser's or pg_checkpoint's right).
                    with contextlib.suppress(DatabaseError):
                        cursor.execute("CHECKPOINT")
            print(f"  {size:>5} measures seeded in {time.perf_counter() - started:.1f} s")
            pages = _pages()
            first = {label: _first(clients[who], path) for label, path, who, _n in pages}
            for label, timings in _time_pages(clients, pages).items():
                queries, cold = first[label]
                results[(label, size)] = (
                    queries,
                    statistics.median(timings),
                    _percentile(timings, 0.95),
                    cold,
                )
        throughput = _throughput(clients["staff"], clients["admin"])
        import_lines = _bench_import(client)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    small, large = SIZES
    linear = {
        "/measures/export.csv",
        "/measures/export.xlsx",
    }
    header = (
        f"{'page':<32}{'queries':>9}{'median ' + str(small):>13}{'p95 ' + str(small):>11}"
        f"{'median ' + str(large):>14}{'p95 ' + str(large):>11}{'ratio':>8}  note"
    )
    print()
    print(
        f"Times in ms, {REPEAT} requests a page ({EXPORT_REPEAT} an export, {PDF_REPEAT} the PDF)"
        f" in {ROUNDS} rounds over all pages, {UPDATES_PER_MEASURE} updates per measure"
    )
    print(header)
    print("-" * len(header))
    for label in dict.fromkeys(label for label, _size in results):
        q_small, med_small, p95_small, _cold = results[(label, small)]
        q_large, med_large, p95_large, cold_large = results[(label, large)]
        queries = f"{q_small}" if q_small == q_large else f"{q_small}/{q_large}"
        ratio = med_large / med_small if med_small else float("nan")
        note = ""
        if label in linear:
            note = f"{med_large / large:.3f} ms per measure (linear by nature)"
        elif label.endswith(".pdf"):
            note = (
                f"the full report: made once in {cold_large / 1000:.1f} s"
                f" ({cold_large / large:.1f} ms per measure), then kept"
            )
        print(
            f"{label:<32}{queries:>9}{med_small:>13.1f}{p95_small:>11.1f}"
            f"{med_large:>14.1f}{p95_large:>11.1f}{ratio:>8.2f}  {note}"
        )
    _print_throughput(throughput, large)
    print()
    print(
        f"Import of {large} rows through /measures/import/ ({vendor}), "
        f"median of {IMPORT_REPEAT} uploads; the confirmation once"
    )
    for line in import_lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
