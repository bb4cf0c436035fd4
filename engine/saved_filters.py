"""Saved inbox filters: a user names a filter and finds it again, with how many tasks it holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .clock import Clock
from .errors import Conflict, InvalidData, NotFound
from .i18n import N_
from .models import SavedFilter
from .task_index import InboxQuery
from .tasks import TaskService

MAX_FILTERS = 20
NAME_LIMIT = 60


class SavedFilterService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, tasks: TaskService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tasks = tasks

    def save(self, actor: Actor, name: Any, query: InboxQuery) -> int:
        """Store the filter under a name unique for the user; its id."""
        name = name.strip() if isinstance(name, str) else ""
        if not name or len(name) > NAME_LIMIT:
            raise InvalidData({"name": N_("请填写筛选名称（不超过 %(limit)s 个字符）", limit=NAME_LIMIT)})
        if not query.as_args():
            raise InvalidData({"name": N_("当前没有任何筛选条件，无需保存")})
        try:
            with self._sessions.begin() as session:
                if len(self._rows(session, actor)) >= MAX_FILTERS:
                    raise InvalidData({"name": N_("最多保存 %(limit)s 个筛选", limit=MAX_FILTERS)})
                row = SavedFilter(user_id=actor.user_id, name=name, query=query.as_args(), created_at=self._clock.now())
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError as exc:
            raise Conflict(N_("已有名为「%(name)s」的筛选", name=name)) from exc

    def list_with_counts(self, actor: Actor) -> list[dict[str, Any]]:
        """The user's filters, each with its query and the number of tasks it finds now."""
        with self._sessions() as session:
            rows = [(row.id, row.name, row.query) for row in self._rows(session, actor)]
        result = []
        for filter_id, name, stored in rows:
            query = InboxQuery.from_args(stored)
            result.append({"id": filter_id, "name": name, "query": query.as_args(),
                           "count": self._tasks.count_shown(actor, query)})
        return result

    def delete(self, actor: Actor, filter_id: int) -> None:
        with self._sessions.begin() as session:
            row = session.get(SavedFilter, filter_id)
            if row is None or row.user_id != actor.user_id:
                raise NotFound(N_("该筛选不存在"))
            session.delete(row)

    @staticmethod
    def _rows(session: Session, actor: Actor) -> list[SavedFilter]:
        query = select(SavedFilter).where(SavedFilter.user_id == actor.user_id).order_by(SavedFilter.name)
        return list(session.scalars(query))
