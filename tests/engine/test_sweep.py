"""The timer sweep: due instances found by index, each fired exactly once, even by two sweepers."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select

from engine.models import AuditEvent, Instance
from tests.modelkit import linear_model, timer

WAIT = linear_model("wait_until", "city_bureau", [timer("until", '"2026-03-03T09:00:00+08:00"')])


def start_many(engine, count: int) -> None:
    city = engine.identity.authenticate("city", "jinan-demo-2026")
    engine.repository.deploy("wait_until", {"wait_until.bpmn": WAIT}, "tests")
    for _ in range(count):
        engine.instances.start("wait_until", city)


def fired(engine) -> tuple[int, int]:
    with engine.sessions() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timer_fired"))
        distinct = session.scalar(select(func.count(func.distinct(AuditEvent.instance_id)))
                                  .where(AuditEvent.action == "timer_fired"))
        return events, distinct


def test_two_sweeps_at_once_fire_each_timer_exactly_once(engine, clock) -> None:
    count = 500 if engine.db.dialect.name == "postgresql" else 150
    start_many(engine, count)
    assert engine.timers.due() == []
    clock.set(datetime.fromisoformat("2026-03-03T09:00:01+08:00"))
    assert len(engine.timers.due(limit=10_000)) == count  # the guideline's timers are months away

    results: list[int] = []
    barrier = threading.Barrier(2)

    def sweep() -> None:
        barrier.wait()
        total = 0
        while advanced := engine.timers.sweep(limit=50):
            total += advanced
        results.append(total)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert sum(results) == count
    assert fired(engine) == (count, count)
    with engine.sessions() as session:
        statuses = session.execute(select(Instance.status, func.count()).where(Instance.process_id == "wait_until")
                                   .group_by(Instance.status)).all()
    assert dict(statuses) == {"completed": count}
    assert engine.timers.sweep() == 0


def test_timers_due_while_down_fire_at_the_next_sweep(engine, clock) -> None:
    start_many(engine, 3)
    clock.set(datetime.fromisoformat("2026-03-10T08:00:00+08:00"))
    assert engine.timers.sweep() == 3
    with engine.sessions() as session:
        lags = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "timer_fired")).all()
    assert {lag["lag_seconds"] for lag in lags} == {7 * 86400 - 3600}
