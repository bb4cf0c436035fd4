"""Messages: delivered to a waiting instance, refused when nothing waits, and sent by handlers
to other instances after their own transaction has committed."""

from __future__ import annotations

from typing import Any

import pytest

from engine.access import Actor
from engine.errors import Conflict
from engine.operators import HandlerContext
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.modelkit import linear_model, message_wait, script_task, service_task

WAITER = linear_model("waiter", "city_bureau", [message_wait("wait_word", "word", "word"),
                                                 script_task("read_word", "heard = word['text']")])
SENDER = linear_model("sender", "city_bureau", [service_task("tell", "test.tell", "told")])
CITY = Actor(user_id=None, username="city-test", role="city_bureau")
TARGETS: list[int] = []  # the instances `test.tell` writes to


def tell(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    for instance_id in TARGETS:
        ctx.send_message(instance_id, "word", {"text": f"来自 {ctx.instance.id}"})
    return {"sent": True}


@pytest.fixture
def engine(sqlite_url: str, clock) -> ProcessEngine:
    engine = ProcessEngine(sqlite_url, {**OPERATORS, "test.tell": tell}, clock=clock, start_rules=START_RULES)
    engine.create_schema()
    engine.repository.deploy("waiter", {"waiter.bpmn": WAITER}, "t")
    engine.repository.deploy("sender", {"sender.bpmn": SENDER}, "t")
    return engine


def test_a_message_reaches_the_waiting_instance_once(engine) -> None:
    waiter = engine.instances.start("waiter", CITY)
    engine.messages.send(CITY, waiter, "word", {"text": "异议已受理"})
    _, _, workflow = engine.runtime.load(waiter)
    assert workflow.is_completed() and workflow.last_task.data["heard"] == "异议已受理"
    with pytest.raises(Conflict, match="不再接收消息"):
        engine.messages.send(CITY, waiter, "word", {"text": "again"})
    history = engine.history.for_instance(waiter)
    assert [h["action"] for h in history].count("message_received") == 1


def test_nothing_waiting_is_a_conflict_not_a_silent_drop(engine) -> None:
    waiter = engine.instances.start("waiter", CITY)
    with pytest.raises(Conflict, match="没有等待消息「other」"):
        engine.messages.send(CITY, waiter, "other", {})


def test_handlers_send_after_commit_and_undeliverable_messages_are_recorded(engine) -> None:
    first = engine.instances.start("waiter", CITY)
    finished = engine.instances.start("waiter", CITY)
    engine.messages.send(CITY, finished, "word", {"text": "done"})

    TARGETS[:] = [first, finished]
    sender = engine.instances.start("sender", CITY)
    assert engine.instances.get(CITY, sender)["status"] == "completed"
    _, _, workflow = engine.runtime.load(first)
    assert workflow.last_task.data["heard"] == f"来自 {sender}"
    undelivered = [h for h in engine.history.for_instance(finished) if h["action"] == "message_undelivered"]
    assert len(undelivered) == 1 and "不再接收消息" in undelivered[0]["details"]["reason"]
