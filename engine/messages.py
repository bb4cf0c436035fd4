"""Messages from outside an instance (an objection filed, a revocation ordered, fraud found).

A message is delivered to one instance, found by id or business key. When nothing in the
instance waits for it the sender gets Conflict — a message is never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .errors import Conflict, InvalidData, NotFound
from .models import Instance
from .runtime import RuntimeService


class MessageService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService) -> None:
        self._sessions = sessions
        self._runtime = runtime

    def instance_for(self, business_key: str) -> int:
        with self._sessions() as session:
            instance_id = session.scalar(select(Instance.id).where(Instance.business_key == business_key))
        if instance_id is None:
            raise NotFound(f"没有业务编号为 {business_key} 的流程实例")
        return instance_id

    def send(self, actor: Actor, instance_id: int, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Deliver message `name` with `payload` to the instance, in one transaction."""
        if not name:
            raise InvalidData({"name": "消息名称不能为空"})
        body = dict(payload or {})
        with self._runtime.unit(instance_id, actor) as unit:
            if unit.instance.status != "running":
                raise Conflict(f"流程实例已{unit.instance.status}，不再接收消息「{name}」")
            try:
                unit.workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=body))
            except WorkflowException:
                raise Conflict(f"流程当前没有等待消息「{name}」") from None
            unit.audit("message_received", message=name, payload=body)
            unit.steps()
