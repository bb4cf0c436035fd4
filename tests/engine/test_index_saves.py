"""What a save writes: the task index and escalations only when the ready human tasks changed;
an audit chain's head read once per transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event

from engine import history
from engine.access import SYSTEM
from tests.engine.test_audit_chain import problems
from tests.engine.test_sweep import fired, start_many
from tests.support import Scenario


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements run on the engine's database inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001
        seen.append(statement)

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.db, "before_cursor_execute", record)


def index_statements(seen: list[str]) -> list[str]:
    return [s for s in seen if "task_index" in s or "escalations" in s]


def test_a_timer_firing_where_no_human_task_waits_does_not_touch_the_index(engine, clock) -> None:
    start_many(engine, 2)
    clock.set(datetime.fromisoformat("2026-03-03T09:00:01+08:00"))
    with statements(engine) as seen:
        assert engine.timers.sweep() == 2
    assert fired(engine) == (2, 2)
    assert any("instances" in s for s in seen) and index_statements(seen) == []


def test_only_a_change_to_the_ready_tasks_rebuilds_the_index(engine) -> None:
    project = Scenario(engine).start("provider_a")
    task = project.task_of("provider_a", "file_contract")
    provider = project.actor("provider_a")
    with statements(engine) as seen, engine.runtime.unit(task["instance_id"], SYSTEM) as unit:
        unit.audit("looked_at", task["id"])
    assert index_statements(seen) == []

    with statements(engine) as seen:
        engine.tasks.claim(provider, task["id"])
    assert index_statements(seen) != []
    assert engine.tasks.check(provider, task["id"])["assignee"] == provider.user_id


def test_a_chain_head_is_read_once_per_transaction_even_across_flushes(engine) -> None:
    project = Scenario(engine).start("provider_a")
    with statements(engine) as seen, engine.sessions.begin() as session:
        for action in ("first", "second", "third"):
            history.record(session, engine.clock, SYSTEM, action, project.instance_id)
            session.flush()
    assert len([s for s in seen if s.startswith("SELECT") and "audit_heads" in s]) == 1
    assert problems(engine) == []
