"""Backups (issue 5, point 8): a backup restored into an empty database brings
back every measure, progress update, review and history row.

Runs on whichever database the suite uses: SQLite's online backup into a new
file, or pg_dump's custom format into a freshly created PostgreSQL database.
The restored copy is read with a raw connection, not through Django.
"""

import datetime
import sqlite3
import uuid
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from measures.models import Measure, ProgressUpdate, Review

# Committed data (a dump runs in another connection), and the migrations' own
# rows (agreement, focus areas, roles) are put back afterwards for other tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HistoricalMeasure = Measure.history.model


def _tables():
    return {
        "measures": Measure._meta.db_table,
        "updates": ProgressUpdate._meta.db_table,
        "reviews": Review._meta.db_table,
        "history": HistoricalMeasure._meta.db_table,
        # The districts of each historical version.
        "history_areas": f"{HistoricalMeasure._meta.db_table}_areas",
    }


QUERIES = {
    # The same on both databases: SQLite stores booleans as 0 and 1.
    "measures": (
        "SELECT id, title, version, CASE WHEN is_archived THEN 1 ELSE 0 END"
        " FROM {table} ORDER BY id"
    ),
    "updates": "SELECT id, measure_id, summary, progress FROM {table} ORDER BY id",
    "reviews": "SELECT id, progress_update_id, verdict, comment FROM {table} ORDER BY id",
    "history": "SELECT history_id, id, title, history_type FROM {table} ORDER BY history_id",
    "history_areas": "SELECT * FROM {table} ORDER BY m2m_history_id",
}


def _read(cursor):
    rows = {}
    for name, table in _tables().items():
        cursor.execute(QUERIES[name].format(table=table))
        rows[name] = [tuple(row) for row in cursor.fetchall()]
    cursor.execute("SELECT COUNT(*) FROM django_migrations")
    rows["migrations"] = cursor.fetchone()[0]
    return rows


@pytest.fixture
def content(make_measure, make_update, officer, liaison, jordbro):
    """Measures with updates, reviews and a history of changes, committed."""
    measures = [make_measure(title=f"Åtgärd {n} – Jordbro & Brandbergen") for n in range(1, 4)]
    archived = make_measure(title="Arkiverad åtgärd", status=Measure.Status.DONE)
    measures.append(archived)

    # Changes make more history rows: an edit, an area, an archiving.
    first = measures[0]
    first.title = "Åtgärd 1 – ändrad titel"
    first.version += 1
    first.save()
    first.areas.add(jordbro)
    archived.is_archived = True
    archived.save()

    for measure in measures[:3]:
        for day in (1, 2):
            update = make_update(
                measure,
                reported_on=datetime.date(2025, 6, day),
                progress=10 * day,
                summary=f"Uppföljning {day} av {measure.title}",
            )
            Review.objects.create(
                progress_update=update,
                reviewer=liaison,
                verdict=Review.Verdict.APPROVED if day == 1 else Review.Verdict.NEEDS_CHANGES,
                comment=f"Granskad: {update.summary}",
            )
    return measures


def _expected():
    with connection.cursor() as cursor:
        rows = _read(cursor)
    assert len(rows["measures"]) == 4
    assert len(rows["updates"]) == 6
    assert len(rows["reviews"]) == 6
    assert len(rows["history"]) >= 6  # four creations, an edit, an archiving
    assert {row[3] for row in rows["history"]} >= {"+", "~"}
    assert rows["history_areas"]
    return rows


def _restore_and_read_sqlite(backup, tmp_path):
    target = tmp_path / "restored" / "empty.sqlite3"
    target.parent.mkdir()
    sqlite3.connect(target).close()  # an empty database
    call_command("restore_db", str(backup), database_url=f"sqlite:///{target}", no_input=True)
    restored = sqlite3.connect(target)
    try:
        return _read(restored.cursor())
    finally:
        restored.close()


@pytest.fixture
def empty_postgres_database():
    """A freshly created, empty database on the suite's PostgreSQL server."""
    config = connection.settings_dict
    server = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
    }
    name = f"haninge_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(server["user"])
    if server["password"]:
        credentials += ":" + quote(server["password"])
    url = f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    try:
        yield url, {**server, "dbname": name}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_and_read_postgres(backup, url, params):
    with psycopg.connect(**params) as empty, empty.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0, "the target database is not empty"
    call_command("restore_db", str(backup), database_url=url, no_input=True)
    with psycopg.connect(**params) as restored, restored.cursor() as cursor:
        return _read(cursor)


def test_a_restore_into_an_empty_database_brings_everything_back(
    request, content, make_measure, tmp_path
):
    expected = _expected()
    backup = tmp_path / "backups" / "samverkan.backup"
    call_command("backup_db", output=str(backup))
    assert backup.exists() and backup.stat().st_size > 0

    # Written after the backup: must not be in the restored copy.
    later = make_measure(title="Skapad efter säkerhetskopian")

    if connection.vendor == "sqlite":
        restored = _restore_and_read_sqlite(backup, tmp_path)
    elif connection.vendor == "postgresql":
        url, params = request.getfixturevalue("empty_postgres_database")
        restored = _restore_and_read_postgres(backup, url, params)
    else:
        pytest.fail(f"no backup test for {connection.vendor}")

    assert restored["measures"] == expected["measures"]
    assert restored["updates"] == expected["updates"]
    assert restored["reviews"] == expected["reviews"]
    assert restored["history"] == expected["history"]
    assert restored["history_areas"] == expected["history_areas"]
    assert restored["migrations"] == expected["migrations"]
    assert later.pk not in {row[0] for row in restored["measures"]}
    titles = {row[1] for row in restored["measures"]}
    assert "Åtgärd 1 – ändrad titel" in titles
    assert "Arkiverad åtgärd" in titles


def test_backup_without_an_output_writes_into_the_backups_folder(content, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("backup_db")
    written = list((tmp_path / "backups").iterdir())
    assert len(written) == 1
    expected_suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert written[0].name.startswith("samverkan-")
    assert written[0].suffix == expected_suffix
    assert written[0].stat().st_size > 0


def test_restore_refuses_a_missing_backup_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Restore failed"):
        call_command(
            "restore_db",
            str(tmp_path / "missing.backup"),
            database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
            no_input=True,
        )
