"""Tampering with the audit log is detected and named, including a whole instance's history deleted.

Each instance's events form a hash chain (engine/history.py); the anchors (one per chain,
each linked to the one before) are what find a chain deleted together with its head.
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import delete, select, text, update

from engine.audit_verify import verify
from engine.clock import MovableClock
from engine.db import make_engine
from engine.history import anchor_hash, event_hash
from engine.models import AuditAnchor, AuditEvent, AuditHead
from engine.schema import upgrade
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.conftest import START, build_engine
from tests.support import Scenario
from webui.cli import cli


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[int]]:
    """One SQLite database with two filed projects, built once and copied for each test."""
    path = tmp_path_factory.mktemp("audit") / "template.db"
    engine = build_engine(f"sqlite:///{path}", MovableClock(START))
    instances = filed_projects(engine, 2)
    engine.dispose()
    return str(path), instances


@pytest.fixture
def projects(template, tmp_path) -> tuple[ProcessEngine, list[int]]:
    """A fresh copy of the template database and its two projects' instance ids."""
    path, instances = template
    copy = tmp_path / "audit.db"
    shutil.copy(path, copy)
    engine = ProcessEngine(f"sqlite:///{copy}", OPERATORS, clock=MovableClock(START), start_rules=START_RULES)
    yield engine, instances
    engine.dispose()


def filed_projects(engine, count: int) -> list[int]:
    """`count` diagnosis projects of 历下区, each waiting for the district's review."""
    return [Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing().instance_id
            for _ in range(count)]


def problems(engine) -> list[str]:
    with engine.sessions() as session:
        return verify(session)


def events_of(engine, instance_id: int) -> list[AuditEvent]:
    with engine.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.chain == f"instance:{instance_id}")
                                    .order_by(AuditEvent.seq)))


def delete_chain(engine, instance_id: int, with_anchor: bool = False) -> None:
    chain = f"instance:{instance_id}"
    with engine.sessions.begin() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.chain == chain))
        session.execute(delete(AuditHead).where(AuditHead.chain == chain))
        if with_anchor:
            session.execute(delete(AuditAnchor).where(AuditAnchor.chain == chain))


def test_each_chain_is_anchored_after_the_one_before(projects) -> None:
    sqlite_engine, (first, second) = projects
    with sqlite_engine.sessions() as session:
        anchors = {row.chain: row for row in session.scalars(select(AuditAnchor))}
    newer = anchors[f"instance:{second}"]
    assert newer.prev_chain == f"instance:{first}" and newer.prev_hash == anchors[f"instance:{first}"].hash
    assert newer.first_hash == events_of(sqlite_engine, second)[0].hash
    assert problems(sqlite_engine) == []


def test_a_changed_row_is_named(projects) -> None:
    sqlite_engine, (instance_id, _) = projects
    target = events_of(sqlite_engine, instance_id)[1]
    with sqlite_engine.sessions.begin() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor_name="someone_else"))
    assert problems(sqlite_engine) == [
        f"instance:{instance_id}: seq {target.seq} (row id {target.id}, {target.action}) was changed after it was written"]


def test_an_inserted_row_is_named(projects) -> None:
    sqlite_engine, (instance_id, _) = projects
    events = events_of(sqlite_engine, instance_id)
    with sqlite_engine.sessions.begin() as session:
        session.add(AuditEvent(at=events[-1].at, instance_id=instance_id, actor_name="intruder", action="task_completed",
                               details={}, chain=events[-1].chain, seq=events[-1].seq + 1, prev_hash="0" * 64,
                               hash="0" * 64))
    found = problems(sqlite_engine)
    newest = events[-1].seq + 1
    assert any(f"seq {newest}" in p and "does not follow its predecessor" in p for p in found), found
    assert any(f"seq {newest}" in p and "changed" in p for p in found), found


def test_a_deleted_row_is_named(projects) -> None:
    sqlite_engine, (instance_id, _) = projects
    target = events_of(sqlite_engine, instance_id)[1]
    with sqlite_engine.sessions.begin() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == target.id))
    found = problems(sqlite_engine)
    assert f"instance:{instance_id}: event(s) deleted before seq {target.seq + 1}" in found[0], found


def test_a_whole_deleted_chain_is_named(engine) -> None:
    first, _ = filed_projects(engine, 2)
    delete_chain(engine, first)
    assert problems(engine) == [f"instance:{first}: the whole chain was deleted (its anchor, row id "
                                f"{anchor_id(engine, first)}, remains)"]


def anchor_id(engine, instance_id: int) -> int:
    with engine.sessions() as session:
        return session.scalar(select(AuditAnchor.id).where(AuditAnchor.chain == f"instance:{instance_id}"))


def test_a_chain_deleted_with_its_anchor_is_named_by_the_next_anchor(projects) -> None:
    engine, (first, second) = projects
    delete_chain(engine, first, with_anchor=True)
    found = problems(engine)
    assert (f"instance:{first}: its anchor was deleted or changed (the anchor of instance:{second} links to it); "
            "its whole history is gone") in found
    assert f"instance:{first}: the instance has no audit history at all: its chain and anchor were deleted" in found


def test_a_replaced_chain_is_named(projects) -> None:
    """Rewriting a whole chain with consistent hashes still leaves it different from its anchor."""
    sqlite_engine, (instance_id, _) = projects
    with sqlite_engine.sessions.begin() as session:
        previous = ""
        for event in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                     .order_by(AuditEvent.seq)):
            event.actor_name, event.prev_hash = "rewritten", previous
            event.hash = previous = event_hash(event)
        head = session.get(AuditHead, f"instance:{instance_id}")
        head.hash = previous
    assert problems(sqlite_engine) == [f"instance:{instance_id}: its first event is not the one anchored: "
                                       "the chain was replaced"]


def test_a_changed_anchor_is_named(projects) -> None:
    sqlite_engine, (instance_id, _) = projects
    with sqlite_engine.sessions.begin() as session:
        session.execute(update(AuditAnchor).where(AuditAnchor.chain == f"instance:{instance_id}")
                        .values(first_hash="f" * 64))
    found = problems(sqlite_engine)
    assert f"instance:{instance_id}: its anchor (row id {anchor_id(sqlite_engine, instance_id)}) was changed " \
           "after it was written" in found


def test_cli_names_the_deleted_chain_and_prints_the_newest_anchor(projects) -> None:
    from webui import create_app

    engine, (first, _) = projects
    app = create_app({"TESTING": True, "SECRET_KEY": "audit"}, engine=engine)
    runner = app.test_cli_runner()
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and "newest anchor: instance:" in intact.output
    delete_chain(engine, first)
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and f"instance:{first}: the whole chain was deleted" in result.output


def test_the_migration_anchors_existing_chains_in_order(sqlite_url: str) -> None:
    database = make_engine(sqlite_url)
    try:
        upgrade(database, "0002")
        with database.begin() as connection:
            for row_id, chain in ((1, "global"), (2, "instance:7"), (3, "global")):
                connection.execute(text(
                    "INSERT INTO audit_events (id, at, actor_name, action, details, chain, seq, prev_hash, hash) "
                    "VALUES (:id, '2026-03-02 01:00:00', 'cli', 'seeded', '{}', :chain, :seq, '', :hash)"),
                    {"id": row_id, "chain": chain, "seq": 1 if row_id < 3 else 2, "hash": f"{row_id}" * 64})
        upgrade(database)
        with database.connect() as connection:
            rows = connection.execute(text("SELECT chain, first_hash, prev_chain, prev_hash, hash FROM audit_anchors "
                                           "ORDER BY id")).all()
    finally:
        database.dispose()
    assert [(r.chain, r.first_hash, r.prev_chain) for r in rows] == [("global", "1" * 64, ""),
                                                                     ("instance:7", "2" * 64, "global")]
    assert rows[1].prev_hash == rows[0].hash
    for row in rows:
        assert row.hash == anchor_hash(AuditAnchor(chain=row.chain, first_hash=row.first_hash,
                                                   prev_chain=row.prev_chain, prev_hash=row.prev_hash))

