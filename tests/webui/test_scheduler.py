"""The embedded scheduler's run: a backlog of due timers larger than one batch drains in one run."""

from __future__ import annotations

from datetime import datetime

from tests.engine.test_sweep import fired, start_many
from webui.scheduler import drain_timers, embedded_sweep


def test_a_backlog_larger_than_one_batch_fires_in_one_run(engine, clock) -> None:
    start_many(engine, 12)
    clock.set(datetime.fromisoformat("2026-03-03T09:00:01+08:00"))
    embedded_sweep(engine, batch=5, budget_seconds=600)
    assert fired(engine) == (12, 12)
    assert engine.timers.due() == []


def test_an_exhausted_budget_leaves_the_rest_for_the_next_run(engine, clock) -> None:
    start_many(engine, 7)
    clock.set(datetime.fromisoformat("2026-03-03T09:00:01+08:00"))
    assert drain_timers(engine, batch=5, budget_seconds=0) == 5
    assert drain_timers(engine, batch=5, budget_seconds=600) == 2
    assert fired(engine) == (7, 7)
