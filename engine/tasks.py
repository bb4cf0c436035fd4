"""Human tasks: list, read, claim, unclaim, assign, delegate, give back, complete, in bulk.

Each action checks, before the engine is touched, that the task is READY and that the
caller has the task's role **and** scope; data is validated against the task's JSON Schema
on the server. Inboxes read only the task index, never serialized workflows: filters and
sort orders are SQL on its indexed columns (`task_index.InboxQuery`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from . import form_options
from .access import Actor, Scope, may_act_on_task
from .attachments import attachment_errors
from .errors import Conflict, EngineError, Forbidden, InvalidData, NotFound
from .facts import field_labels, key_facts
from .forms import keep_read_only, resolve_options, validate_data
from .i18n import N_, label
from .identity import actor_of
from .models import AuditEvent, Instance, TaskHandover, TaskIndexRow, User
from .notifications import notify
from .repository import UserTaskInfo
from .roles import ASSIGNED_ONLY_ROLES, DISTRICT_ROLES, ORGANISATION_ROLES
from .runtime import RuntimeService, Unit
from .task_index import InboxQuery

BULK_ACTIONS = ("claim", "assign", "complete")
BULK_LIMIT = 100
# Inbox pages count their tasks up to this many; more are shown as "1000+" (`TaskService.page`).
COUNT_CAP = 1000


@dataclass(frozen=True)
class TaskForm:
    """A task's form as the caller sees it: the schema with its choices filled in."""

    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    instructions: str


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox: its items and the total, which is a lower bound when capped."""

    items: list[dict[str, Any]]
    total: int
    total_capped: bool


@dataclass(frozen=True)
class TaskView:
    """Everything a task page or the API shows about one task."""

    task: dict[str, Any]
    form: TaskForm
    data: dict[str, Any]
    facts: list[tuple[str, str]]


def row_dict(row: TaskIndexRow) -> dict[str, Any]:
    return {
        "id": row.task_uuid,
        "instance_id": row.instance_id,
        "process_id": row.process_id,
        "bpmn_id": row.bpmn_id,
        "name": row.name,
        "role": row.role,
        "district": row.district,
        "assignee": row.assignee_id,
        "state": row.state,
        "created_at": row.created_at,
        "due_at": row.due_at,
        "due_provisional": row.due_provisional,
        "overdue": row.overdue_at is not None,
        "priority": row.priority,
    }


def inbox_filter(actor: Actor):  # noqa: ANN201 - a SQLAlchemy clause
    """The WHERE clause for "tasks this actor may act on", mirroring `may_act_on_task`."""
    clause = TaskIndexRow.role == actor.role
    if actor.role in DISTRICT_ROLES:
        clause = clause & (TaskIndexRow.district == actor.district)
    if actor.role in ORGANISATION_ROLES:
        clause = clause & (TaskIndexRow.organisation_id == actor.organisation_id)
    if actor.role in ASSIGNED_ONLY_ROLES:
        clause = clause & (TaskIndexRow.assignee_id == actor.user_id)
    return clause


class TaskService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self.count_cap = COUNT_CAP

    def inbox(
        self,
        actor: Actor,
        limit: int = 50,
        offset: int = 0,
        instance_id: int | None = None,
        query: InboxQuery | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The tasks the actor may act on (of one instance, if given), filtered and sorted by
        `query` (oldest first by default), one page of them and their count."""
        query = query or InboxQuery()
        where = self._where(actor, query, instance_id)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(TaskIndexRow).where(where)) or 0
            return self._items(session, where, query, limit, offset), total

    def page(self, actor: Actor, limit: int = 50, offset: int = 0, query: InboxQuery | None = None) -> InboxPage:
        """One page of the actor's inbox, as `inbox`, with the total counted only up to
        `count_cap` tasks: beyond that the total is `count_cap` and `total_capped` is set (pages
        show "1000+"), so the page costs about the same at 100,000 open tasks as at 1,000."""
        query = query or InboxQuery()
        where = self._where(actor, query, None)
        with self._sessions() as session:
            found = self._capped_count(session, where)
            items = self._items(session, where, query, limit, offset)
        return InboxPage(items=items, total=min(found, self.count_cap), total_capped=found > self.count_cap)

    @staticmethod
    def _items(
        session: Session, where: ColumnElement[bool], query: InboxQuery, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        rows = session.execute(
            select(TaskIndexRow, Instance.business_key)
            .join(Instance, Instance.id == TaskIndexRow.instance_id)
            .where(where)
            .order_by(*query.order_by())
            .limit(limit)
            .offset(offset)
        )
        return [row_dict(row) | {"business_key": key} for row, key in rows]

    def count(self, actor: Actor, query: InboxQuery) -> int:
        """How many tasks a filter finds for the actor, from the index."""
        with self._sessions() as session:
            where = self._where(actor, query, None)
            return session.scalar(select(func.count()).select_from(TaskIndexRow).where(where)) or 0

    def count_shown(self, actor: Actor, query: InboxQuery) -> str:
        """A filter's count as pages show it (the inbox's tiles, saved filters): counted no
        further than `count_cap`, like the inbox total, and beyond it "1000+"."""
        with self._sessions() as session:
            found = self._capped_count(session, self._where(actor, query, None))
        return f"{self.count_cap}+" if found > self.count_cap else str(found)

    def _capped_count(self, session: Session, where: ColumnElement[bool]) -> int:
        """The matching tasks, counted up to `count_cap` + 1 (a LIMITed subquery)."""
        counted = select(TaskIndexRow.task_uuid).where(where).limit(self.count_cap + 1).subquery()
        return session.scalar(select(func.count()).select_from(counted)) or 0

    def _where(self, actor: Actor, query: InboxQuery, instance_id: int | None) -> ColumnElement[bool]:
        clauses = [inbox_filter(actor), *query.where(actor.user_id, self._runtime.clock.now())]
        if instance_id is not None:
            clauses.append(TaskIndexRow.instance_id == instance_id)
        return and_(*clauses)

    def stages(self, actor: Actor) -> list[tuple[str, str, list[str]]]:
        """(process id, process name, task names) of the actor's role in the deployed models:
        the choices of the inbox's process and stage filters."""
        repository = self._runtime.repository
        result = []
        for process_id in dict.fromkeys(v["process_id"] for v in repository.list_versions()):
            deployed = repository.latest(process_id)
            names = sorted({t.name for t in deployed.user_tasks.values() if t.role == actor.role})
            if names:
                result.append((process_id, deployed.name or process_id, names))
        return sorted(result, key=lambda entry: entry[1])

    def get(self, actor: Actor, task_uuid: str) -> TaskView:
        """The task's index fields, its form, its current data and the instance's key facts."""
        row = self._permitted_row(actor, task_uuid)
        instance, deployed, workflow = self._runtime.load(row.instance_id)
        info = deployed.user_tasks[row.bpmn_id]
        data = dict(workflow.get_task_from_id(UUID(task_uuid)).data)
        form = self._form(info, actor, row.instance_id)
        return TaskView(
            task=row_dict(row) | {"business_key": instance.business_key, "process_name": deployed.name},
            form=form,
            data=data,
            facts=key_facts(
                data, self._labels(deployed.user_tasks.values(), actor, row.instance_id),
                exclude=form.schema.get("properties") or {},
            ),
        )

    def claim(self, actor: Actor, task_uuid: str) -> None:
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id not in (None, actor.user_id):
            raise Conflict(N_("该任务已由他人认领"))
        self._set_assignee(actor, row, actor.user_id, "task_claimed")

    def unclaim(self, actor: Actor, task_uuid: str) -> None:
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id != actor.user_id:
            raise Conflict(N_("只能退回自己认领的任务"))
        self._set_assignee(actor, row, None, "task_unclaimed")

    def assign(self, actor: Actor, task_uuid: str, user_id: int) -> None:
        """Give the task to a colleague who could act on it themselves."""
        row = self._permitted_row(actor, task_uuid)
        self._hand_over(actor, row, self._colleague(row, user_id), "assigned")

    def delegate(self, actor: Actor, task_uuid: str, user_id: int) -> None:
        """Hand a task I have claimed to a colleague of the same role and scope (转办)."""
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id != actor.user_id:
            raise Conflict(N_("只能转办自己已认领的任务"))
        if user_id == actor.user_id:
            raise InvalidData({"user_id": N_("不能转办给自己")})
        self._hand_over(actor, row, self._colleague(row, user_id), "delegated")

    def give_back(self, actor: Actor, task_uuid: str) -> None:
        """Return a task someone delegated or assigned to me: it goes back to whoever held it
        before (the delegator, or nobody for an assignment from the open pool)."""
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id != actor.user_id:
            raise Conflict(N_("只能退回由您办理的任务"))
        with self._runtime.unit(row.instance_id, actor) as unit:
            unit.ready_task(row.task_uuid)
            handover = unit.session.get(TaskHandover, row.task_uuid)
            if handover is None or handover.to_user_id != actor.user_id:
                raise Conflict(N_("该任务不是他人转办或指派给您的，不能退回"))
            self._assign_in(unit, row, handover.previous_assignee_id)
            unit.audit("task_returned", row.task_uuid, row.bpmn_id, assignee=handover.previous_assignee_id,
                       returned_to=handover.from_user_id)
            title = N_("「%(task)s」已由%(person)s退回", task=label(row.name),
                       person=actor.display_name or actor.username)
            notify(unit.session, unit.clock, "task_returned", title, user_id=handover.from_user_id,
                   instance_id=row.instance_id, link=f"/tasks/{row.task_uuid}")
            unit.session.delete(handover)

    def colleagues(self, actor: Actor, task_uuid: str) -> list[tuple[int, str]]:
        """(user id, name) of the other active users who could act on this task."""
        row = self._permitted_row(actor, task_uuid)
        return self._others(actor, row.role, Scope(row.district, row.organisation_id))

    def team(self, actor: Actor) -> list[tuple[int, str]]:
        """(user id, name) of the other active users of the actor's role and scope: whom the
        actor may hand tasks to in bulk (each task is still checked on its own)."""
        return self._others(actor, actor.role, Scope(actor.district, actor.organisation_id))

    def _others(self, actor: Actor, role: str, scope: Scope) -> list[tuple[int, str]]:
        query = select(User).where(User.role == role, User.is_active.is_(True), User.id != actor.user_id)
        if role in DISTRICT_ROLES:
            query = query.where(User.district == scope.district)
        if role in ORGANISATION_ROLES:
            query = query.where(User.organisation_id == scope.organisation_id)
        with self._sessions() as session:
            users = list(session.scalars(query.order_by(User.display_name)))
        return [(u.id, u.display_name) for u in users if may_act_on_task(actor_of(u), role, scope, u.id)]

    def bulk(self, actor: Actor, action: str, task_ids: Any, user_id: Any = None, data: Any = None) -> list[dict]:
        """Claim, assign or complete several tasks, each on its own; one result per task.

        Completing in bulk uses the same `data` for every task (none: only tasks whose forms
        need nothing more can be completed); each task is validated against its own form.
        """
        actions: dict[str, Callable[[str], None]] = {
            "claim": lambda task_id: self.claim(actor, task_id),
            "assign": lambda task_id: self.assign(actor, task_id, user_id),
            "complete": lambda task_id: self.complete(actor, task_id, {} if data is None else data),
        }
        problems = _bulk_problems(action, task_ids, user_id)
        if problems:
            raise InvalidData(problems)
        return [_attempt(actions[action], task_id) for task_id in dict.fromkeys(task_ids)]

    def complete(self, actor: Actor, task_uuid: str, data: Any) -> None:
        """Validate `data` against the task's form, then complete the task in one transaction."""
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id not in (None, actor.user_id):
            raise Conflict(N_("该任务已由他人认领，不能办理"))
        if not isinstance(data, dict):
            raise InvalidData({"_form": N_("提交的数据必须是一个对象")})
        form = self._form(self._info(row), actor, row.instance_id)
        with self._runtime.unit(row.instance_id, actor) as unit:
            task = unit.ready_task(task_uuid)
            if task.task_spec.lane != actor.role:
                raise Forbidden(N_("无权办理此任务"))
            data = keep_read_only(form.schema, data, task.data)
            errors = validate_data(form.schema, data)
            errors = {**attachment_errors(unit.session, row.instance_id, form.schema, data), **errors}
            if errors:
                raise InvalidData(errors)
            before = {key: task.data.get(key) for key in data}
            unit.audit("task_completed", task_uuid, row.bpmn_id, before=before, after=data)
            unit.run(task, data)

    def _permitted_row(self, actor: Actor, task_uuid: str) -> TaskIndexRow:
        """The index row if the actor may act on it; 404 unknown, 409 done, 403 not theirs."""
        with self._sessions() as session:
            row = session.get(TaskIndexRow, task_uuid)
            if row is None:
                if self._was_completed(session, task_uuid):
                    raise Conflict(N_("该任务已办结"))
                raise NotFound(N_("任务 %(task_id)s 不存在", task_id=task_uuid))
        if not may_act_on_task(actor, row.role, Scope(row.district, row.organisation_id), row.assignee_id):
            raise Forbidden(N_("无权查看或办理此任务"))
        return row

    @staticmethod
    def _was_completed(session: Session, task_uuid: str) -> bool:
        return (
            session.scalar(
                select(AuditEvent.id).where(AuditEvent.task_uuid == task_uuid, AuditEvent.action == "task_completed")
            )
            is not None
        )

    def _info(self, row: TaskIndexRow) -> UserTaskInfo:
        with self._sessions() as session:
            version_id = session.scalar(select(Instance.process_version_id).where(Instance.id == row.instance_id))
        return self._runtime.repository.get(version_id).user_tasks[row.bpmn_id]

    def _form(self, info: UserTaskInfo, actor: Actor, instance_id: int) -> TaskForm:
        empty = {"type": "object", "properties": {}, "additionalProperties": False}
        schema = self._resolved(info.form or empty, actor, instance_id)
        return TaskForm(schema=schema, ui_schema=info.ui_schema, instructions=info.instructions)

    def _resolved(self, schema: dict[str, Any], actor: Actor, instance_id: int) -> dict[str, Any]:
        """The schema with its `x-options` choice lists filled in from the store, as offered to
        `actor` on the instance (a list may depend on who asks)."""
        names = form_options.referenced(schema)
        if not names:
            return schema
        with self._sessions() as session:
            context = form_options.OptionContext(session, actor, session.get(Instance, instance_id))
            return resolve_options(schema, form_options.load(context, names))

    def _labels(self, infos: Iterable[UserTaskInfo], actor: Actor, instance_id: int) -> dict[str, dict[str, Any]]:
        return field_labels((self._resolved(info.form or {}, actor, instance_id), info.ui_schema) for info in infos)

    def handed_to(self, actor: Actor, task_uuid: str) -> bool:
        """Was this task delegated or assigned to the actor (so the actor may give it back)?"""
        with self._sessions() as session:
            handover = session.get(TaskHandover, task_uuid)
            return handover is not None and handover.to_user_id == actor.user_id

    def check(self, actor: Actor, task_uuid: str) -> dict[str, Any]:
        """The task's index fields if the actor may act on it (404, 409 done, 403 otherwise)."""
        return row_dict(self._permitted_row(actor, task_uuid))

    def _colleague(self, row: TaskIndexRow, user_id: Any) -> Actor:
        """The user a task is handed to, if they could act on it themselves."""
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise InvalidData({"user_id": N_("请选择办理人")})
        with self._sessions() as session:
            user = session.get(User, user_id)
        if user is None or not user.is_active or user.role != row.role:
            raise InvalidData({"user_id": N_("该用户不存在或角色不符")})
        colleague = actor_of(user)
        if not may_act_on_task(colleague, row.role, Scope(row.district, row.organisation_id), user.id):
            raise InvalidData({"user_id": N_("该用户无权办理此任务")})
        return colleague

    def _hand_over(self, actor: Actor, row: TaskIndexRow, colleague: Actor, kind: str) -> None:
        """Assign or delegate in one transaction: the claim, the handover record (so it can be
        given back), the audit event and a notification for the new holder."""
        with self._runtime.unit(row.instance_id, actor) as unit:
            unit.ready_task(row.task_uuid)
            previous = (unit.instance.assignments or {}).get(row.task_uuid)
            self._assign_in(unit, row, colleague.user_id)
            unit.audit(f"task_{kind}", row.task_uuid, row.bpmn_id, assignee=colleague.user_id)
            unit.session.merge(TaskHandover(task_uuid=row.task_uuid, kind=kind, from_user_id=actor.user_id,
                                            to_user_id=colleague.user_id, previous_assignee_id=previous,
                                            at=unit.clock.now()))
            values = {"task": label(row.name), "person": actor.display_name or actor.username}
            if kind == "delegated":
                title = N_("「%(task)s」已由%(person)s转办给您", **values)
            else:
                title = N_("「%(task)s」已由%(person)s指派给您", **values)
            notify(unit.session, unit.clock, "assignment", title,
                   user_id=colleague.user_id, instance_id=row.instance_id, link=f"/tasks/{row.task_uuid}")

    def _set_assignee(self, actor: Actor, row: TaskIndexRow, user_id: int | None, action: str) -> None:
        """Claim or unclaim; an unclaimed task is back in the pool, so nobody can give it back."""
        with self._runtime.unit(row.instance_id, actor) as unit:
            unit.ready_task(row.task_uuid)
            self._assign_in(unit, row, user_id)
            unit.audit(action, row.task_uuid, row.bpmn_id, assignee=user_id)
            if user_id is None:
                unit.session.execute(delete(TaskHandover).where(TaskHandover.task_uuid == row.task_uuid))

    @staticmethod
    def _assign_in(unit: Unit, row: TaskIndexRow, user_id: int | None) -> None:
        assignments = dict(unit.instance.assignments or {})
        if user_id is None:
            assignments.pop(row.task_uuid, None)
        else:
            assignments[row.task_uuid] = user_id
        unit.instance.assignments = assignments


def _bulk_problems(action: str, task_ids: Any, user_id: Any) -> dict[str, str]:
    problems = {}
    if action not in BULK_ACTIONS:
        problems["action"] = N_("操作应为 %(allowed)s 之一", allowed=" / ".join(BULK_ACTIONS))
    if not isinstance(task_ids, list) or not task_ids or not all(isinstance(t, str) for t in task_ids):
        problems["task_ids"] = N_("请至少选择一项任务")
    elif len(task_ids) > BULK_LIMIT:
        problems["task_ids"] = N_("一次最多处理 %(limit)s 项任务", limit=BULK_LIMIT)
    if action == "assign" and (not isinstance(user_id, int) or isinstance(user_id, bool)):
        problems["user_id"] = N_("请选择办理人")
    return problems


def _attempt(act: Callable[[str], None], task_id: str) -> dict[str, Any]:
    """Run one item of a bulk action; its failure is reported in its result, not raised."""
    try:
        act(task_id)
    except InvalidData as invalid:
        return {"id": task_id, "ok": False, "error": invalid.message, "errors": invalid.errors}
    except EngineError as error:
        return {"id": task_id, "ok": False, "error": error.message}
    return {"id": task_id, "ok": True}
