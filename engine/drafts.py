"""Drafts: what a user has typed into a task's form, kept on the server until the task is done.

A draft is per task and user (a colleague who later claims the task does not see it). It is
stored without validation, because half-filled forms are the point; completing the task (or
the task going away) deletes it in the same transaction (`task_index.retire`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .errors import InvalidData
from .forms import forbidden_keys
from .i18n import N_
from .models import TaskDraft
from .tasks import TaskService


class DraftService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, tasks: TaskService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tasks = tasks

    def save(self, actor: Actor, task_uuid: str, data: Any) -> datetime:
        """Keep `data` as the actor's draft of the task (replacing an older one); when it was saved."""
        self._tasks.check(actor, task_uuid)
        if not isinstance(data, dict):
            raise InvalidData({"data": N_("草稿必须是一个对象")})
        bad = forbidden_keys(data)
        if bad:
            raise InvalidData({path: N_("不允许的字段名") for path in bad})
        now = self._clock.now()
        with self._sessions.begin() as session:
            session.merge(TaskDraft(task_uuid=task_uuid, user_id=actor.user_id, data=data, saved_at=now))
        return now

    def get(self, actor: Actor, task_uuid: str) -> tuple[dict[str, Any], datetime] | None:
        """The actor's draft of the task and when it was saved, if there is one."""
        self._tasks.check(actor, task_uuid)
        with self._sessions() as session:
            draft = session.get(TaskDraft, (task_uuid, actor.user_id))
            return (dict(draft.data), draft.saved_at) if draft is not None else None

    def discard(self, actor: Actor, task_uuid: str) -> None:
        self._tasks.check(actor, task_uuid)
        with self._sessions.begin() as session:
            session.execute(delete(TaskDraft).where(TaskDraft.task_uuid == task_uuid,
                                                    TaskDraft.user_id == actor.user_id))
