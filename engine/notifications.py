"""Notifications: stored for a user or for a role in a scope; read by whoever they concern."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .models import Notification
from .roles import DISTRICT_ROLES, ORGANISATION_ROLES


def notify(
    session: Session,
    clock: Clock,
    kind: str,
    title: str,
    *,
    user_id: int | None = None,
    role: str | None = None,
    district: str | None = None,
    organisation_id: int | None = None,
    instance_id: int | None = None,
    link: str | None = None,
) -> None:
    """Add a notification to the session's transaction (for a user, else for a role in scope)."""
    session.add(
        Notification(
            user_id=user_id,
            role=None if user_id else role,
            district=None if user_id else district,
            organisation_id=None if user_id else organisation_id,
            kind=kind,
            title=title,
            link=link,
            instance_id=instance_id,
            created_at=clock.now(),
        )
    )


def addressed_to(actor: Actor):  # noqa: ANN201 - a SQLAlchemy clause
    """Notifications for this actor: personal ones, and its role's within its scope."""
    role_clause = Notification.role == actor.role
    if actor.role in DISTRICT_ROLES:
        role_clause = and_(role_clause, Notification.district == actor.district)
    if actor.role in ORGANISATION_ROLES:
        role_clause = and_(role_clause, Notification.organisation_id == actor.organisation_id)
    return or_(Notification.user_id == actor.user_id, role_clause)


class NotificationService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def for_actor(self, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Notification).where(addressed_to(actor)).order_by(Notification.id.desc()).limit(limit)
            )
            return [
                {"id": n.id, "kind": n.kind, "title": n.title, "link": n.link, "instance_id": n.instance_id,
                 "created_at": n.created_at, "read_at": n.read_at}
                for n in rows
            ]
