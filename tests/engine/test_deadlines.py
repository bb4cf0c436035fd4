"""Working-day deadlines: due times of tasks, computed timers, provisional years, recomputation."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.access import Actor
from engine.clock import SHANGHAI
from engine.models import TaskIndexRow
from tests.modelkit import linear_model, note_form, script_task, timer, user_task

PROBE = linear_model("deadline_probe", "city_bureau", [
    user_task("check", "核查", "note", dueWorkingDays="10"),
    script_task("remember", "started = now()"),
    timer("five_working_days", "working_period_end(started, 5)"),
])
DAYS_2027 = [("2027-01-01", "holiday", "元旦"), ("2027-01-02", "holiday", "元旦"), ("2027-01-03", "holiday", "元旦")]


@pytest.fixture
def probe(engine, clock):
    engine.repository.deploy("deadline_probe", {"deadline_probe.bpmn": PROBE, "forms/note.schema.json": note_form()}, "t")
    city = engine.identity.authenticate("city", "jinan-demo-2026")
    return engine, clock, city


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


def index_row(engine, instance_id: int) -> TaskIndexRow:
    with engine.sessions() as session:
        return session.scalars(select(TaskIndexRow).where(TaskIndexRow.instance_id == instance_id)).one()


def test_due_time_counts_working_days_within_a_published_year(probe) -> None:
    engine, clock, city = probe
    clock.set(local("2026-02-12T10:00:00+08:00"))
    instance_id = engine.instances.start("deadline_probe", city)
    row = index_row(engine, instance_id)
    assert row.due_at == local("2026-03-05T00:00:00+08:00")  # 2/14 and 2/28 work, 2/15–2/23 off
    assert row.due_provisional is False
    item = engine.tasks.inbox(city)[0][0]
    assert item["due_at"] == row.due_at


def test_deadlines_into_2027_are_provisional_and_recomputed_when_2027_is_entered(probe) -> None:
    engine, clock, city = probe
    clock.set(local("2026-12-24T09:00:00+08:00"))
    waiting_task = engine.instances.start("deadline_probe", city)
    row = index_row(engine, waiting_task)
    assert (row.due_at, row.due_provisional) == (local("2027-01-08T00:00:00+08:00"), True)

    clock.set(local("2026-12-28T09:00:00+08:00"))
    waiting_timer = engine.instances.start("deadline_probe", city)
    engine.tasks.complete(city, index_row(engine, waiting_timer).task_uuid, {})
    view = engine.instances.get(city, waiting_timer)
    assert view["tasks"] == []

    changed = engine.deadlines.enter_year(2027, DAYS_2027, Actor(None, "city", "city_bureau"), "国办发明电〔2026〕")
    assert sorted(changed) == sorted([waiting_task, waiting_timer])
    row = index_row(engine, waiting_task)
    assert (row.due_at, row.due_provisional) == (local("2027-01-09T00:00:00+08:00"), False)

    recomputed = [h for h in engine.instances.get(city, waiting_task)["history"] if h["action"] == "deadline_recomputed"]
    assert recomputed[0]["details"] == {"kind": "task_due", "old": "2027-01-08T00:00:00+08:00",
                                        "new": "2027-01-09T00:00:00+08:00"}
    timer_change = [h for h in engine.instances.get(city, waiting_timer)["history"] if h["action"] == "deadline_recomputed"]
    assert timer_change[0]["element_id"] == "five_working_days"
    assert timer_change[0]["details"]["old"] == "2027-01-02T00:00:00+08:00"
    assert timer_change[0]["details"]["new"] == "2027-01-05T00:00:00+08:00"


def test_the_timer_fires_once_on_the_engine_clock(probe) -> None:
    engine, clock, city = probe
    clock.set(local("2026-03-02T09:00:00+08:00"))
    instance_id = engine.instances.start("deadline_probe", city)
    engine.tasks.complete(city, index_row(engine, instance_id).task_uuid, {"note": "已核查"})
    clock.set(local("2026-03-06T23:59:00+08:00"))
    assert engine.timers.sweep() == 0
    clock.set(local("2026-03-07T00:00:30+08:00"))
    assert engine.timers.sweep() == 1
    assert engine.timers.sweep() == 0
    view = engine.instances.get(city, instance_id)
    assert view["status"] == "completed"
    fired = [h for h in view["history"] if h["action"] == "timer_fired"]
    assert len(fired) == 1 and fired[0]["details"]["lag_seconds"] == 30.0
