"""Back up and restore the whole database: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

Both are consistent snapshots taken while the server runs: SQLite copies pages under its
own locking, pg_dump reads in one repeatable-read transaction. A restore replaces every
table; stop the web server and workers first (the CLI says so), then verify the audit log
(`diagflow audit verify`), which checks that the restored history is the history written.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url

_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s,]+)")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says what failed."""


def backup(database_url: str, target: Path) -> str:
    """Write a backup of `database_url` to `target`; return a one-line description."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(_sqlite_file(url)), target)
        return f"SQLite backup of {url.database} written to {target}"
    schema = _search_path(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    command += [f"--schema={schema}"] if schema else []
    _run_postgres(command, url)
    return f"PostgreSQL backup (pg_dump -Fc{f', schema {schema}' if schema else ''}) written to {target}"


def restore(database_url: str, source: Path) -> str:
    """Replace the contents of `database_url` with the backup in `source`; return a description."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        _sqlite_copy(source, Path(_sqlite_file(url)))
        return f"{url.database} restored from {source}"
    _run_postgres(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"], url, source)
    return f"PostgreSQL database restored from {source} (pg_restore --clean)"


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy page by page with sqlite3's backup API (safe while other connections write)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    origin, destination = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        origin.backup(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"copying {source} to {target} failed: {exc}") from None
    finally:
        origin.close()
        destination.close()


def _check_sqlite_backup(source: Path) -> None:
    """Refuse anything that is not a sound SQLite database with diagflow's tables."""
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: not a SQLite backup ({exc})") from None
    finally:
        connection.close()
    if check != "ok":
        raise BackupError(f"{source}: damaged backup ({check})")
    if not {"instances", "audit_events"} <= tables:
        raise BackupError(f"{source}: not a diagflow backup (no instances or audit_events table)")


def _search_path(url: URL) -> str | None:
    """The schema named by `options=-csearch_path=...` in the URL (how tests isolate runs)."""
    found = _SEARCH_PATH.search(unquote(str(url.query.get("options", ""))))
    return found.group(1).strip('"') if found else None


def _run_postgres(command: list[str], url: URL, source: Path | None = None) -> None:
    """Run a PostgreSQL client with the connection from `url` (password through the environment)."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    connection = url.set(drivername="postgresql", password=None, query={})
    full = [program, *command[1:], f"--dbname={connection.render_as_string(hide_password=False)}"]
    full += [str(source)] if source is not None else []
    result = subprocess.run(full, capture_output=True, text=True, env=environment, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")
