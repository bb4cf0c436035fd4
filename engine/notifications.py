"""Notifications: stored for a user or for a role in a scope; read by whoever they concern.

Reading is per user (`notification_reads`): a role's notification read by one colleague is
still unread for the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .errors import NotFound
from .i18n import N_, Text
from .models import Notification, NotificationRead
from .roles import DISTRICT_ROLES, ORGANISATION_ROLES

TITLE_LENGTH = 300
NotifyHook = Callable[[Session, Clock, Notification], None]
_HOOKS: list[NotifyHook] = []


def on_notify(hook: NotifyHook) -> None:
    """Run `hook(session, clock, notification)` for every notification, in its transaction
    (e-mail registers itself here; the dependency points from mail to notifications)."""
    _HOOKS.append(hook)


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
    """Add a notification to the session's transaction (for a user, else for a role in scope).

    The title is a `Text` (engine.i18n.N_): its Chinese is stored for e-mail and as it was, its
    template and values so that the notification centre can show it in the reader's language.
    A plain `str` (a title that came as data, e.g. in an effect's payload) is stored as it is."""
    notification = Notification(
        user_id=user_id,
        role=None if user_id else role,
        district=None if user_id else district,
        organisation_id=None if user_id else organisation_id,
        kind=kind,
        title=title[:TITLE_LENGTH],
        title_text=title.to_json() if isinstance(title, Text) else None,
        link=link,
        instance_id=instance_id,
        created_at=clock.now(),
    )
    session.add(notification)
    for hook in _HOOKS:
        hook(session, clock, notification)


def addressed_to(actor: Actor):  # noqa: ANN201 - a SQLAlchemy clause
    """Notifications for this actor: personal ones, and its role's within its scope."""
    role_clause = Notification.role == actor.role
    if actor.role in DISTRICT_ROLES:
        role_clause = and_(role_clause, Notification.district == actor.district)
    if actor.role in ORGANISATION_ROLES:
        role_clause = and_(role_clause, Notification.organisation_id == actor.organisation_id)
    return or_(Notification.user_id == actor.user_id, role_clause)


def _unread(actor: Actor):  # noqa: ANN202 - a SQLAlchemy clause
    return ~exists().where(NotificationRead.notification_id == Notification.id,
                           NotificationRead.user_id == actor.user_id)


class NotificationService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def for_actor(self, actor: Actor, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """The actor's notifications, newest first, each saying whether this actor has read it."""
        read = exists().where(NotificationRead.notification_id == Notification.id,
                              NotificationRead.user_id == actor.user_id)
        with self._sessions() as session:
            rows = session.execute(
                select(Notification, read.label("read")).where(addressed_to(actor))
                .order_by(Notification.id.desc()).limit(limit).offset(offset)
            )
            return [
                {"id": n.id, "kind": n.kind, "title": Text.from_json(n.title_text) if n.title_text else n.title,
                 "link": n.link, "instance_id": n.instance_id,
                 "created_at": n.created_at, "read": bool(is_read)}
                for n, is_read in rows
            ]

    def count(self, actor: Actor) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(Notification).where(addressed_to(actor))) or 0

    def unread_count(self, actor: Actor) -> int:
        """Shown in every page's header, so one indexed count."""
        with self._sessions() as session:
            query = select(func.count()).select_from(Notification).where(addressed_to(actor), _unread(actor))
            return session.scalar(query) or 0

    def mark_read(self, actor: Actor, notification_ids: list[int] | None = None) -> int:
        """Mark the given notifications (all when None) read for the actor; how many were unread.
        Ids not addressed to the actor are refused (NotFound), so nobody learns they exist."""
        with self._sessions.begin() as session:
            query = select(Notification.id, _unread(actor).label("unread")).where(addressed_to(actor))
            if notification_ids is not None:
                query = query.where(Notification.id.in_(notification_ids))
            rows = session.execute(query).all()
            if notification_ids is not None and len(rows) != len(set(notification_ids)):
                raise NotFound(N_("通知不存在"))
            now = self._clock.now()
            unread = [n for n, is_unread in rows if is_unread]
            session.add_all(NotificationRead(notification_id=n, user_id=actor.user_id, read_at=now) for n in unread)
            return len(unread)
