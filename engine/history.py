"""The audit log: every action, appended in the transaction that made it, never updated."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor, hides_actor
from .clock import Clock
from .models import AuditAnchor, AuditEvent, AuditHead, User
from .roles import ROLES

GLOBAL_CHAIN = "global"


def chain_of(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else GLOBAL_CHAIN


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the event's content and its predecessor's hash (canonical JSON)."""
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "instance_id": event.instance_id,
        "task_uuid": event.task_uuid,
        "element_id": event.element_id,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return _sha256(content)


def anchor_hash(anchor: AuditAnchor) -> str:
    """SHA-256 over a chain's anchor: its name, its first event's hash and the previous anchor."""
    return _sha256({"chain": anchor.chain, "first_hash": anchor.first_hash,
                    "prev_chain": anchor.prev_chain, "prev_hash": anchor.prev_hash})


def _sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    """Append one event to the session's transaction, extending its chain."""
    chain = chain_of(instance_id)
    head = session.get(AuditHead, chain)
    opened = head is None
    if head is None:
        head = AuditHead(chain=chain, seq=0, hash="")
        session.add(head)
    # The session's identity map holds clean objects weakly: without this reference the head is
    # dropped after a flush and the next event of the transaction selects it again.
    session.info.setdefault("audit_heads", set()).add(head)
    event = AuditEvent(
        at=clock.now(),
        instance_id=instance_id,
        task_uuid=task_uuid,
        element_id=element_id,
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        details=details,
        chain=chain,
        seq=head.seq + 1,
        prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    if opened:
        anchor(session, chain, event.hash)
    return event


def anchor(session: Session, chain: str, first_hash: str) -> AuditAnchor:
    """Anchor a new chain after the newest anchor. Concurrent openings may link to the same
    predecessor (a fork); that costs nothing but keeps chain openings free of a shared lock."""
    with session.no_autoflush:
        previous = session.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))
    row = AuditAnchor(chain=chain, first_hash=first_hash, prev_chain=previous.chain if previous else "",
                      prev_hash=previous.hash if previous else "")
    row.hash = anchor_hash(row)
    session.add(row)
    return row


class HistoryService:
    """Read the audit log."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def for_instance(
        self, instance_id: int, element_names: dict[str, str] | None = None, viewer: Actor | None = None
    ) -> list[dict[str, Any]]:
        """The instance's events in order; `element_names` labels each event's element.

        With a `viewer`, events by actors the viewer may not know (experts, for an applicant)
        name only the role, and their completed tasks show no entries.
        """
        names = element_names or {}
        with self._sessions() as session:
            rows = session.execute(
                select(AuditEvent, User.display_name, User.role)
                .outerjoin(User, User.id == AuditEvent.actor_id)
                .where(AuditEvent.instance_id == instance_id)
                .order_by(AuditEvent.id)
            )
            events = []
            for event, display, role in rows:
                shown = as_dict(event) | {"element_name": names.get(event.element_id or ""), "actor_display": display}
                if viewer is not None and hides_actor(viewer, role, event.actor_id):
                    shown |= pseudonymous(role, event.action, event.details)
                events.append(shown)
            return events


def pseudonymous(role: str, action: str, details: dict[str, Any]) -> dict[str, Any]:
    """A hidden actor's event: the role's label for the name and, for a completed task, no entries
    (a score and its comment would tell who wrote them); what the engine did next stays visible."""
    label = ROLES.get(role, role)
    return {"actor": label, "actor_display": label, "details": {} if action == "task_completed" else details}


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
