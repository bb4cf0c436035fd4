"""Messages from outside an instance (an objection filed, a revocation ordered, fraud found).

A message is delivered to one instance, found by id or business key. When nothing in the
instance waits for it the sender gets Conflict — a message is never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .errors import InvalidData, NotFound
from .i18n import N_
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
            raise NotFound(N_("没有业务编号为 %(business_key)s 的流程实例", business_key=business_key))
        return instance_id

    def send(self, actor: Actor, instance_id: int, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Deliver message `name` with `payload` to the instance, in one transaction."""
        if not name:
            raise InvalidData({"name": N_("消息名称不能为空")})
        self._runtime.deliver_message(actor, instance_id, name, dict(payload or {}))
