"""Backups of the whole database: pg_dump's custom format on PostgreSQL, the
online backup API on SQLite. Both can be taken while the app runs."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import environ


def _pg_env(config):
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _pg_args(config):
    args = []
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return args


def _tool(name):
    """pg_dump and pg_restore from PATH, else from the newest installed PostgreSQL."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise FileNotFoundError(f"{name} is not installed")


def backup(config, target):
    """Write a backup of the database described by `config` (a DATABASES entry)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        # uri=True as Django opens it, so a `file:` name (an in-memory
        # database shared in this process, as the test suite uses) is understood
        # on every SQLite build, not only where URI names are on by default.
        source = sqlite3.connect(str(config["NAME"]), uri=True)
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        destination.close()
        source.close()
    elif engine.endswith("postgresql"):
        subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                *_pg_args(config),
                str(config["NAME"]),
            ],
            check=True,
            env=_pg_env(config),
        )
    else:
        raise ValueError(f"No backup for {engine}")
    return target


def restore(config, source):
    """Restore a backup into the database described by `config`, replacing its contents."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        backup_db = sqlite3.connect(source)
        live = sqlite3.connect(str(config["NAME"]), uri=True)
        with live:
            backup_db.backup(live)
        live.close()
        backup_db.close()
    elif engine.endswith("postgresql"):
        subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                str(config["NAME"]),
                *_pg_args(config),
                str(source),
            ],
            check=True,
            env=_pg_env(config),
        )
    else:
        raise ValueError(f"No restore for {engine}")


def config_from_url(url):
    return environ.Env.db_url_config(url)
