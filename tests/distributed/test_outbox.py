"""The outbox in embedded mode (SQLite and PostgreSQL): an effect queued by a committed change
is delivered after the commit, one queued by a rolled-back change never; failures are retried
with backoff and after the last attempt become an incident for the city bureau."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import outbox
from engine.access import Actor
from engine.models import AuditEvent, Notification, OutboxEffect
from engine.notifications import notify
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.modelkit import linear_model, service_task

CITY = Actor(user_id=None, username="tests", role="city_bureau", display_name="测试")
MODEL = linear_model("notify_once", "city_bureau", [service_task("send", "test.queue_mail", "sent")])
sent_mail: list[dict] = []
broken_calls = {"times": 0}


@outbox.effect("test.mail")
def record_mail(payload: dict, engine: ProcessEngine) -> None:
    """Stands in for SMTP: remember what would have been sent."""
    sent_mail.append(payload)


@outbox.effect("test.broken")
def broken(payload: dict, engine: ProcessEngine) -> None:
    broken_calls["times"] += 1
    raise ConnectionError("mail server refused")


@outbox.effect("test.write_back")
def write_back(payload: dict, engine: ProcessEngine) -> None:
    """An effect that reports back through the engine, in a transaction of its own."""
    with engine.sessions.begin() as session:
        notify(session, engine.clock, "mail_sent", payload["title"], role="city_bureau")


def queue_mail(ctx, params: dict) -> dict:  # noqa: ANN001 - HandlerContext
    ctx.enqueue_effect("test.mail", {"to": "city", "instance": ctx.instance.id})
    return {"sent": True}


@pytest.fixture
def effects_engine(database_url: str, clock) -> Iterator[ProcessEngine]:  # noqa: ANN001 - MovableClock
    engine = ProcessEngine(database_url, {**OPERATORS, "test.queue_mail": queue_mail}, clock=clock,
                           start_rules=START_RULES)
    engine.create_schema()
    engine.repository.deploy("notify_once", {"notify_once.bpmn": MODEL}, "tests")
    sent_mail.clear()
    broken_calls["times"] = 0
    yield engine
    engine.dispose()


def rows(engine: ProcessEngine) -> list[OutboxEffect]:
    with engine.sessions() as session:
        return list(session.scalars(select(OutboxEffect).order_by(OutboxEffect.id)))


def test_an_operator_effect_is_delivered_after_the_commit(effects_engine: ProcessEngine) -> None:
    instance_id = effects_engine.instances.start("notify_once", CITY)
    assert sent_mail == [{"to": "city", "instance": instance_id}]
    [row] = rows(effects_engine)
    assert (row.status, row.attempts, row.instance_id) == ("delivered", 1, instance_id)
    assert effects_engine.outbox.sweep() == 0


def test_an_effect_may_write_through_the_engine_while_it_is_delivered(effects_engine: ProcessEngine, clock) -> None:  # noqa: ANN001
    with effects_engine.sessions.begin() as session:
        outbox.enqueue(session, clock, "test.write_back", {"title": "已发送"})
    [row] = rows(effects_engine)
    with effects_engine.sessions() as session:
        titles = session.scalars(select(Notification.title).where(Notification.kind == "mail_sent")).all()
    assert (row.status, titles) == ("delivered", ["已发送"])


def test_an_effect_of_a_rolled_back_change_is_never_delivered(effects_engine: ProcessEngine) -> None:
    with pytest.raises(RuntimeError), effects_engine.sessions.begin() as session:
        outbox.enqueue(session, effects_engine.clock, "test.mail", {"to": "nobody"})
        session.flush()
        raise RuntimeError("the change failed")
    assert sent_mail == []
    assert rows(effects_engine) == []


def test_failures_back_off_then_become_an_incident_unknown_kinds_fail(effects_engine: ProcessEngine, clock) -> None:  # noqa: ANN001
    effects_engine.outbox.max_attempts = 3
    with effects_engine.sessions.begin() as session:
        outbox.enqueue(session, clock, "test.broken", {"to": "city"})
    [row] = rows(effects_engine)
    assert (row.status, row.attempts, broken_calls["times"]) == ("pending", 1, 1)
    assert effects_engine.outbox.sweep() == 0  # not due before its backoff
    assert broken_calls["times"] == 1
    clock.advance(timedelta(seconds=10))
    effects_engine.outbox.sweep()
    [row] = rows(effects_engine)
    assert (row.status, row.attempts, row.available_at - clock.now()) == ("pending", 2, timedelta(seconds=20))
    clock.advance(timedelta(seconds=20))
    effects_engine.outbox.sweep()
    [row] = rows(effects_engine)
    assert (row.status, row.attempts, broken_calls["times"]) == ("failed", 3, 3)
    assert "mail server refused" in row.last_error
    clock.advance(timedelta(hours=1))
    assert effects_engine.outbox.sweep() == 0
    assert broken_calls["times"] == 3
    with effects_engine.sessions() as session:
        [incident] = session.scalars(select(Notification).where(Notification.kind == "incident")).all()
        audit = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "effect_failed")).all()
    assert incident.role == "city_bureau" and "test.broken" in incident.title
    assert audit == ["effect_failed"]

    with effects_engine.sessions.begin() as session:  # an unknown kind is a failure, not a silent drop
        outbox.enqueue(session, clock, "test.nobody_registered", {})
    unknown = rows(effects_engine)[-1]
    assert unknown.status == "pending" and "no effect is registered" in unknown.last_error
