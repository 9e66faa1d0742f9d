"""`make bench`: how the main pages scale from 50 to 5,000 measures, and how
long an import of 5,000 rows takes.

Builds a throwaway database (SQLite by default, PostgreSQL when DATABASE_URL
points there), fills it with demo data at each size with 10 progress updates
per measure, requests every page 30 times through Django's test client and
prints queries per request, median and p95 time, and the ratio between the
sizes. Then it imports files of 5,000 rows through /measures/import/: the
export of all 5,000 measures with a tenth of them edited, and 5,000 new rows
as CSV and as Excel, timing the reading and checking of each (the preview),
and then the confirmation that saves the new rows. Nothing is asserted about
time: the figures are for people to read.
"""

import os
import statistics
import sys
import tempfile
import time

SIZES = (50, 5000)
REPEAT = 30
UPDATES_PER_MEASURE = 10
IMPORT_REPEAT = 3


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
    from followup.models import Decision, Meeting
    from measures.models import Measure, ProgressUpdate, Review

    # The demo data's decisions protect the measures they concern.
    Decision.objects.all().delete()
    Meeting.objects.all().delete()
    Review.objects.all().delete()
    ProgressUpdate.objects.all().delete()
    Measure.areas.through.objects.all().delete()
    Measure.history.model.objects.all().delete()
    Measure.objects.all().delete()


def _measure(client, path, consume):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once():
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        if consume:
            b"".join(response.streaming_content)
        return response

    once()  # warm caches and the connection
    with CaptureQueriesContext(connection) as queries:
        once()
    # Counted now: later requests empty the connection's query log.
    query_count = len(queries)
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        once()
        timings.append((time.perf_counter() - start) * 1000)
    return query_count, statistics.median(timings), _percentile(timings, 0.95)


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
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from demo import data as demo
    from measures.models import Measure
    from measures.roles import MUNICIPAL_STAFF

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
        user = get_user_model().objects.create_user("bench", password=None)
        user.groups.add(Group.objects.get(name=MUNICIPAL_STAFF))
        client = Client()
        client.force_login(user)
        for size in SIZES:
            _empty_tables()
            started = time.perf_counter()
            demo.seed(measures=size, updates_per_measure=UPDATES_PER_MEASURE, seed=7)
            # Fresh statistics, as autovacuum would have made them in a live
            # database; without them the planner guesses from empty tables.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
            print(f"  {size:>5} measures seeded in {time.perf_counter() - started:.1f} s")
            sample = (
                Measure.objects.filter(is_archived=False, updates__isnull=False)
                .order_by("pk")
                .first()
            )
            pages = [
                ("/", "/", False),
                ("/measures/", "/measures/", False),
                ("/measures/<id>/", f"/measures/{sample.pk}/", False),
                ("/focus-areas/<slug>/", "/focus-areas/offentlig-miljo/", False),
                ("/areas/<slug>/", "/areas/jordbro/", False),
                ("/report/", "/report/?from=2026-07-01&to=2026-09-30", False),
                ("/measures/export.csv", "/measures/export.csv", True),
            ]
            for label, path, consume in pages:
                results[(label, size)] = _measure(client, path, consume)
        import_lines = _bench_import(client)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    small, large = SIZES
    linear = {"/report/", "/measures/export.csv"}
    header = (
        f"{'page':<22}{'queries':>9}{'median ' + str(small):>13}{'p95 ' + str(small):>11}"
        f"{'median ' + str(large):>14}{'p95 ' + str(large):>11}{'ratio':>8}  note"
    )
    print()
    print(f"Times in ms, {REPEAT} requests each, {UPDATES_PER_MEASURE} updates per measure")
    print(header)
    print("-" * len(header))
    for label in dict.fromkeys(label for label, _size in results):
        q_small, med_small, p95_small = results[(label, small)]
        q_large, med_large, p95_large = results[(label, large)]
        queries = f"{q_small}" if q_small == q_large else f"{q_small}/{q_large}"
        ratio = med_large / med_small if med_small else float("nan")
        note = (
            f"{med_large / large:.3f} ms per measure (linear by nature)" if label in linear else ""
        )
        print(
            f"{label:<22}{queries:>9}{med_small:>13.1f}{p95_small:>11.1f}"
            f"{med_large:>14.1f}{p95_large:>11.1f}{ratio:>8.2f}  {note}"
        )
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
