"""Backups round-trip: restored into a fresh database, the audit log verifies, every instance is
there and work carries on (SQLite through the online backup API, PostgreSQL through pg_dump)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select

from bench.common import postgres_database
from engine.audit_verify import verify
from engine.backup import BackupError, _search_path, backup, restore
from engine.models import Instance
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.support import Scenario
from webui.cli import cli


def filed(engine: ProcessEngine) -> Scenario:
    return Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with postgres_database() as fresh:  # the same search_path: pg_restore recreates the test's schema
        yield make_url(fresh).update_query_dict(make_url(database_url).query).render_as_string(hide_password=False)


def test_backup_and_restore_into_a_fresh_database(engine: ProcessEngine, database_url: str, fresh_url: str,
                                                  tmp_path: Path) -> None:
    first, second = filed(engine), filed(engine)
    first.district_accepts_filing()
    archive = tmp_path / "diagflow.backup"
    assert "written to" in backup(database_url, archive)
    with engine.sessions() as session:
        count = session.scalar(select(func.count(Instance.id)))
    restore(fresh_url, archive)
    restored = ProcessEngine(fresh_url, OPERATORS, clock=engine.clock, start_rules=START_RULES)
    try:
        with restored.sessions() as session:
            assert verify(session) == []
            assert session.scalar(select(func.count(Instance.id))) == count
        carried_on = Scenario(restored)
        carried_on.instance_id = second.instance_id
        carried_on.district_accepts_filing()
        assert carried_on.waiting_at() == ["submit_report"]
        with restored.sessions() as session:
            assert verify(session) == []
    finally:
        restored.dispose()


def test_cli_backup_and_restore_on_sqlite(app, tmp_path: Path) -> None:
    engine = app.extensions["diagflow"]
    project = filed(engine)
    runner = app.test_cli_runner()
    archive = tmp_path / "nightly.backup"
    made = runner.invoke(cli, ["backup", str(archive)])
    assert made.exit_code == 0 and "SQLite backup" in made.output, made.output
    project.district_accepts_filing()  # work done after the backup is lost by a restore, as it should be
    assert project.waiting_at() == ["submit_report"]
    refused = runner.invoke(cli, ["restore", str(archive)], input="n\n")
    assert refused.exit_code == 1 and project.waiting_at() == ["submit_report"]
    done = runner.invoke(cli, ["restore", str(archive), "--yes"])
    assert done.exit_code == 0 and "audit log intact after restore" in done.output, done.output
    assert project.waiting_at() == ["review_filing"]


def test_restore_refuses_what_is_not_a_diagflow_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a SQLite backup"):
        restore(f"sqlite:///{tmp_path / 'target.db'}", junk)
    with pytest.raises(BackupError, match="no such backup file"):
        restore(f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "missing.backup")


@pytest.mark.parametrize(("url", "schema"), [
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Ddftest_ab", "dftest_ab"),
    ("postgresql+psycopg://h/db?options=-c%20search_path%3Dfoo,public", "foo"),
    ("postgresql+psycopg://h/db", None),
])
def test_pg_dump_is_limited_to_the_schema_the_url_names(url: str, schema: str | None) -> None:
    assert _search_path(make_url(url)) == schema
