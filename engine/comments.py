"""Comments: a thread of remarks on an instance, written from its page or one of its tasks.

Whoever may see the instance may read and write its comments (the instance service decides);
each comment is an audit event too, so the thread is as tamper-evident as the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .errors import InvalidData
from .history import record
from .i18n import N_
from .models import Comment

if TYPE_CHECKING:
    from .instances import InstanceService

MAX_COMMENT = 2000


def comment_dict(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "instance_id": comment.instance_id,
        "task_id": comment.task_uuid,
        "author": comment.author_name,
        "body": comment.body,
        "created_at": comment.created_at,
    }


class CommentService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, instances: InstanceService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._instances = instances

    def add(self, actor: Actor, instance_id: int, body: str, task_id: str | None = None) -> dict[str, Any]:
        """Add a comment (1–2000 characters) to an instance the actor may see; `task_id`, if
        given, must be one of the instance's tasks, past or present."""
        instance = self._instances.get(actor, instance_id)
        text = (body or "").strip()
        if not text:
            raise InvalidData({"body": N_("请填写意见内容")})
        if len(text) > MAX_COMMENT:
            raise InvalidData({"body": N_("最多 %(limit)s 个字符", limit=format(MAX_COMMENT, ","))})
        if task_id and not _task_of(instance, task_id):
            raise InvalidData({"task_id": N_("任务不属于该流程实例")})
        with self._sessions.begin() as session:
            comment = Comment(
                instance_id=instance_id, task_uuid=task_id or None, author_id=actor.user_id,
                author_name=actor.display_name or actor.username, body=text, created_at=self._clock.now(),
            )
            session.add(comment)
            session.flush()
            record(session, self._clock, actor, "comment_added", instance_id, task_id or None,
                   comment_id=comment.id, body=text)
            return comment_dict(comment)

    def list(self, actor: Actor, instance_id: int) -> list[dict[str, Any]]:
        """The instance's comments, oldest first, if the actor may see the instance."""
        self._instances.get(actor, instance_id)
        with self._sessions() as session:
            rows = session.scalars(select(Comment).where(Comment.instance_id == instance_id).order_by(Comment.id))
            return [comment_dict(c) for c in rows]


def _task_of(instance: dict[str, Any], task_id: str) -> bool:
    """Is the task ready in the instance, or in its history (a comment on a finished step)?"""
    return any(t["id"] == task_id for t in instance["tasks"]) or any(
        h["task_id"] == task_id for h in instance["history"]
    )
