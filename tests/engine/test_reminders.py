"""Reminder one working day before a deadline, then overdue: flagged, escalated, resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.models import TaskIndexRow
from tests.modelkit import linear_model, note_form, user_task


def deploy(engine, **properties: str) -> None:
    model = linear_model("district_chore", "district_bureau", [user_task("chore", "区县核查", "note", **properties)])
    engine.repository.deploy("district_chore", {"district_chore.bpmn": model, "forms/note.schema.json": note_form()}, "t")


def at(clock, text: str) -> None:
    clock.set(datetime.fromisoformat(text))


def test_reminder_overdue_and_escalation_chain(engine, clock) -> None:
    deploy(engine, dueWorkingDays="2")
    actor = {name: engine.identity.authenticate(name, "jinan-demo-2026") for name in ("lixia_bureau", "city", "licheng_bureau")}
    at(clock, "2026-03-02T09:00:00+08:00")
    instance_id = engine.instances.start("district_chore", actor["lixia_bureau"])
    task = engine.tasks.inbox(actor["lixia_bureau"])[0][0]
    assert task["due_at"] == datetime.fromisoformat("2026-03-05T00:00:00+08:00")

    at(clock, "2026-03-03T18:00:00+08:00")
    assert engine.reminders.run() == (0, 0)
    at(clock, "2026-03-04T08:00:00+08:00")
    assert engine.reminders.run() == (1, 0)
    assert engine.reminders.run() == (0, 0)
    reminders = engine.notifications.for_actor(actor["lixia_bureau"])
    assert [n["kind"] for n in reminders] == ["reminder"] and "2026-03-05 00:00" in reminders[0]["title"]
    assert engine.notifications.for_actor(actor["licheng_bureau"]) == []

    at(clock, "2026-03-05T00:00:01+08:00")
    assert engine.reminders.run() == (0, 1)
    assert engine.reminders.run() == (0, 0)
    with engine.sessions() as session:
        assert session.scalar(select(TaskIndexRow.overdue_at)) is not None
    escalations = engine.reminders.escalations_for(actor["city"])
    assert [e["task_name"] for e in escalations] == ["区县核查"]
    assert engine.reminders.escalations_for(actor["lixia_bureau"]) == []
    assert [n["kind"] for n in engine.notifications.for_actor(actor["city"])] == ["escalation"]
    actions = [h["action"] for h in engine.instances.get(actor["city"], instance_id)["history"]]
    assert actions == ["instance_started", "task_reminded", "task_overdue"]

    engine.tasks.complete(actor["lixia_bureau"], task["id"], {"note": "已办"})
    assert engine.reminders.escalations_for(actor["city"]) == []


def test_a_model_can_name_who_is_escalated_to(engine, clock) -> None:
    deploy(engine, dueWorkingDays="1", escalateTo="city_finance")
    at(clock, "2026-03-02T09:00:00+08:00")
    engine.instances.start("district_chore", engine.identity.authenticate("lixia_bureau", "jinan-demo-2026"))
    at(clock, "2026-03-04T09:00:00+08:00")
    assert engine.reminders.run() == (1, 1)
    finance = engine.identity.authenticate("city_finance", "jinan-demo-2026")
    assert len(engine.reminders.escalations_for(finance)) == 1
    assert engine.reminders.escalations_for(engine.identity.authenticate("city", "jinan-demo-2026")) == []
