"""第十九条: the guide is in force three years from 2024-01-06, through 2027-01-05.

The city bureau is reminded 90, 30 and 7 days before; afterwards no new campaign or project
starts until a renewed or new guideline is registered; running instances continue.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.errors import Conflict, InvalidData
from engine.records.guidelines import Guideline
from tests.support import Scenario


def at(clock, text: str) -> None:
    clock.set(datetime.fromisoformat(text))


def guideline_notes(engine, city) -> list[str]:
    return [n["title"] for n in engine.notifications.for_actor(city) if n["kind"] == "guideline"]


def test_reminders_expiry_refusal_and_renewal(engine, clock) -> None:
    project = Scenario(engine)
    city, provider = project.actor("city"), project.actor("provider_a")
    with engine.sessions() as session:
        original = session.scalars(select(Guideline)).one()
    assert (original.doc_no, original.valid_until, original.status) == ("济工信信数字〔2024〕1号", "2027-01-05", "in_force")

    at(clock, "2026-10-07T08:59:00+08:00")
    assert engine.timers.sweep() == 0
    for moment, days in [("2026-10-07T09:00:01+08:00", 90), ("2026-12-06T09:00:01+08:00", 30),
                         ("2026-12-29T09:00:01+08:00", 7)]:
        at(clock, moment)
        assert engine.timers.sweep() == 1
        assert f"剩余 {days} 天" in guideline_notes(engine, city)[0]

    at(clock, "2026-12-30T10:00:00+08:00")
    running = Scenario(engine).start("provider_a")

    at(clock, "2027-01-05T23:59:59+08:00")
    assert engine.timers.sweep() == 0
    at(clock, "2027-01-06T00:00:01+08:00")
    assert engine.timers.sweep() == 1
    with engine.sessions() as session:
        assert session.get(Guideline, original.id).status == "expired"
    with pytest.raises(Conflict, match=r"济工信信数字〔2024〕1号）已于 2027-01-05 到期失效"):
        engine.instances.start("diagnosis_project", provider)

    task = running.task_of("provider_a", "file_contract")
    engine.tasks.claim(provider, task["id"])
    assert running.status() == "running"

    renewal_id = engine.instances.start("guideline_validity", city)
    register = engine.tasks.inbox(city, instance_id=renewal_id)[0][0]
    engine.tasks.complete(city, register["id"], {"doc_no": "济工信信数字〔2027〕1号", "title": "济南市数字化转型诊断工作指南",
                                                 "issued_on": "2027-01-20", "valid_years": 3})
    with pytest.raises(Conflict):
        engine.instances.start("diagnosis_project", provider)
    at(clock, "2027-01-20T09:00:00+08:00")
    assert engine.instances.start("diagnosis_project", provider) > 0
    with engine.sessions() as session:
        renewed = session.scalar(select(Guideline).where(Guideline.doc_no == "济工信信数字〔2027〕1号"))
    assert renewed.valid_until == "2030-01-19"


def test_a_guideline_number_is_registered_once(engine) -> None:
    city = Scenario(engine).actor("city")
    instance_id = engine.instances.start("guideline_validity", city)
    register = engine.tasks.inbox(city, instance_id=instance_id)[0][0]
    with pytest.raises(InvalidData) as refused:
        engine.tasks.complete(city, register["id"], {"doc_no": "济工信信数字〔2024〕1号", "title": "重复",
                                                     "issued_on": "2024-01-06", "valid_years": 3})
    assert "doc_no" in refused.value.errors
