"""The audit log: every action, appended in the transaction that made it, never updated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .models import AuditEvent, User


def record(
    session: Session,
    clock: Clock,
    actor: Actor,
    action: str,
    instance_id: int | None = None,
    task_uuid: str | None = None,
    element_id: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event to the session's transaction."""
    event = AuditEvent(
        at=clock.now(),
        instance_id=instance_id,
        task_uuid=task_uuid,
        element_id=element_id,
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        details=details,
    )
    session.add(event)
    return event


class HistoryService:
    """Read the audit log."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def for_instance(self, instance_id: int, element_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """The instance's events in order; `element_names` labels each event's element."""
        names = element_names or {}
        with self._sessions() as session:
            rows = session.execute(
                select(AuditEvent, User.display_name)
                .outerjoin(User, User.id == AuditEvent.actor_id)
                .where(AuditEvent.instance_id == instance_id)
                .order_by(AuditEvent.id)
            )
            return [
                as_dict(event) | {"element_name": names.get(event.element_id or ""), "actor_display": display}
                for event, display in rows
            ]


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "action": event.action,
        "actor": event.actor_name,
        "task_id": event.task_uuid,
        "element_id": event.element_id,
        "details": event.details,
    }
