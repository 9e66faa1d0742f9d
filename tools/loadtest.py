"""`make loadtest`: gunicorn on PostgreSQL with 5,000 demo measures, driven by
locust from loopback with 20 logged-in users for 60 seconds.

Prints requests per second, p50/p95/p99 and errors, then counts the progress
updates in the database and compares them with the posts the app acknowledged.
Run by hand; it takes a few minutes and is not part of CI.
"""

import csv
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import server

USERS = int(os.environ.get("LOADTEST_USERS", "20"))
DURATION = os.environ.get("LOADTEST_DURATION", "60s")
MEASURES = int(os.environ.get("LOADTEST_MEASURES", "5000"))
DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haninge_loadtest"
)


def _manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=server.ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )


def _prepare(env):
    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--measures", str(MEASURES), "--seed", "11")
    password = secrets.token_urlsafe(16)
    script = (
        "from django.contrib.auth.models import User, Group\n"
        "from django.contrib.auth.hashers import make_password\n"
        "from measures.models import Measure\n"
        "g = Group.objects.get(name='Kommunens handläggare')\n"
        f"h = make_password({password!r})\n"
        f"for i in range({USERS}):\n"
        "    u = User.objects.create(username=f'last{i}', password=h, first_name='Last', "
        "last_name=str(i))\n"
        "    u.groups.add(g)\n"
        "ids = Measure.objects.filter(is_archived=False).values_list('pk', flat=True)\n"
        "print(','.join(str(i) for i in ids[:2000]))\n"
    )
    ids = _manage(env, "shell", "-c", script, capture=True).stdout.strip().splitlines()[-1]
    return password, ids


def _count_updates(env):
    out = _manage(
        env,
        "shell",
        "-c",
        "from measures.models import ProgressUpdate; print(ProgressUpdate.objects.count())",
        capture=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main():
    env = server.environment(
        server.free_port(), DATABASE_URL, os.environ.get("WEB_CONCURRENCY", "4")
    )
    print(f"Preparing {DATABASE_URL} with {MEASURES} measures …", flush=True)
    password, ids = _prepare(env)
    before = _count_updates(env)
    with server.gunicorn(env) as base, tempfile.TemporaryDirectory() as tmp:
        ack_file = Path(tmp) / "ack"
        load_env = dict(
            env,
            LOADTEST_MEASURE_IDS=ids,
            LOADTEST_PASSWORD=password,
            LOADTEST_USERS=",".join(f"last{i}" for i in range(USERS)),
            LOADTEST_ACK_FILE=str(ack_file),
        )
        print(
            f"Driving {base} with {USERS} users for {DURATION} "
            f"({env['WEB_CONCURRENCY']} gunicorn workers) …",
            flush=True,
        )
        subprocess.run(
            [
                str(server.BIN / "locust"),
                "-f",
                str(server.ROOT / "tools" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                DURATION,
                "--host",
                base,
                "--csv",
                str(Path(tmp) / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=server.ROOT,
            env=load_env,
            check=False,
        )
        rows = list(csv.DictReader((Path(tmp) / "stats_stats.csv").open()))
        acknowledged = int(ack_file.read_text()) if ack_file.exists() else 0
    after = _count_updates(env)

    print()
    print(f"{'request':<36}{'count':>8}{'errors':>8}{'req/s':>9}{'p50':>7}{'p95':>7}{'p99':>7}")
    for row in rows:
        print(
            f"{row['Name'][:35]:<36}{row['Request Count']:>8}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>9.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    print("(times in ms)")
    stored = after - before
    print()
    print(f"Progress updates acknowledged: {acknowledged}")
    print(f"Progress updates stored:       {stored}")
    lost = acknowledged - stored
    if lost > 0:
        print(f"LOST: {lost} acknowledged progress updates are not in the database")
        return 1
    # A post still in flight when the load stops is saved, but its answer is
    # never read: at most one per user.
    unanswered = stored - acknowledged
    if unanswered > USERS:
        print(f"MISMATCH: {unanswered} more rows than posts, more than the {USERS} users in flight")
        return 1
    note = f" ({unanswered} saved while the load stopped, answer unread)" if unanswered else ""
    print(f"Nothing lost.{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
