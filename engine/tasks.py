"""Human tasks: list, read, claim, unclaim, assign, complete.

Each action checks, before the engine is touched, that the task is READY and that the
caller has the task's role **and** scope; data is validated against the task's JSON Schema
on the server. Inboxes read only the task index, never serialized workflows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from . import form_options
from .access import Actor, Scope, may_act_on_task
from .attachments import attachment_errors
from .errors import Conflict, Forbidden, InvalidData, NotFound
from .facts import field_labels, key_facts
from .forms import keep_read_only, resolve_options, validate_data
from .models import AuditEvent, Instance, TaskIndexRow, User
from .repository import UserTaskInfo
from .roles import ASSIGNED_ONLY_ROLES, DISTRICT_ROLES, ORGANISATION_ROLES
from .runtime import RuntimeService


@dataclass(frozen=True)
class TaskForm:
    """A task's form as the caller sees it: the schema with its choices filled in."""

    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    instructions: str


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

    def inbox(
        self, actor: Actor, limit: int = 50, offset: int = 0, instance_id: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """The tasks the actor may act on (of one instance, if given), oldest first, and their count."""
        where = inbox_filter(actor)
        if instance_id is not None:
            where = where & (TaskIndexRow.instance_id == instance_id)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(TaskIndexRow).where(where)) or 0
            rows = session.execute(
                select(TaskIndexRow, Instance.business_key)
                .join(Instance, Instance.id == TaskIndexRow.instance_id)
                .where(where)
                .order_by(TaskIndexRow.created_at, TaskIndexRow.task_uuid)
                .limit(limit)
                .offset(offset)
            )
            return [row_dict(row) | {"business_key": key} for row, key in rows], total

    def get(self, actor: Actor, task_uuid: str) -> TaskView:
        """The task's index fields, its form, its current data and the instance's key facts."""
        row = self._permitted_row(actor, task_uuid)
        instance, deployed, workflow = self._runtime.load(row.instance_id)
        info = deployed.user_tasks[row.bpmn_id]
        data = dict(workflow.get_task_from_id(UUID(task_uuid)).data)
        form = self._form(info)
        return TaskView(
            task=row_dict(row) | {"business_key": instance.business_key, "process_name": deployed.name},
            form=form,
            data=data,
            facts=key_facts(
                data, self._labels(deployed.user_tasks.values()), exclude=form.schema.get("properties") or {}
            ),
        )

    def claim(self, actor: Actor, task_uuid: str) -> None:
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id not in (None, actor.user_id):
            raise Conflict("该任务已由他人认领")
        self._set_assignee(actor, row, actor.user_id, "task_claimed")

    def unclaim(self, actor: Actor, task_uuid: str) -> None:
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id != actor.user_id:
            raise Conflict("只能退回自己认领的任务")
        self._set_assignee(actor, row, None, "task_unclaimed")

    def assign(self, actor: Actor, task_uuid: str, user_id: int) -> None:
        """Give the task to a colleague who could act on it themselves."""
        row = self._permitted_row(actor, task_uuid)
        with self._sessions() as session:
            user = session.get(User, user_id)
        if user is None or user.role != row.role:
            raise InvalidData({"user_id": "该用户不存在或角色不符"})
        colleague = Actor(user.id, user.username, user.role, user.district, user.organisation_id)
        if not may_act_on_task(colleague, row.role, Scope(row.district, row.organisation_id), user.id):
            raise InvalidData({"user_id": "该用户无权办理此任务"})
        self._set_assignee(actor, row, user.id, "task_assigned")

    def complete(self, actor: Actor, task_uuid: str, data: Any) -> None:
        """Validate `data` against the task's form, then complete the task in one transaction."""
        row = self._permitted_row(actor, task_uuid)
        if row.assignee_id not in (None, actor.user_id):
            raise Conflict("该任务已由他人认领，不能办理")
        if not isinstance(data, dict):
            raise InvalidData({"_form": "提交的数据必须是一个对象"})
        form = self._form(self._info(row))
        with self._runtime.unit(row.instance_id, actor) as unit:
            task = unit.ready_task(task_uuid)
            if task.task_spec.lane != actor.role:
                raise Forbidden("无权办理此任务")
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
                    raise Conflict("该任务已办结")
                raise NotFound(f"任务 {task_uuid} 不存在")
        if not may_act_on_task(actor, row.role, Scope(row.district, row.organisation_id), row.assignee_id):
            raise Forbidden("无权查看或办理此任务")
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

    def _form(self, info: UserTaskInfo) -> TaskForm:
        schema = self._resolved(info.form or {"type": "object", "properties": {}, "additionalProperties": False})
        return TaskForm(schema=schema, ui_schema=info.ui_schema, instructions=info.instructions)

    def _resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema with its `x-options` choice lists filled in from the store."""
        names = form_options.referenced(schema)
        if not names:
            return schema
        with self._sessions() as session:
            return resolve_options(schema, form_options.load(session, names))

    def _labels(self, infos: Iterable[UserTaskInfo]) -> dict[str, dict[str, Any]]:
        return field_labels((self._resolved(info.form or {}), info.ui_schema) for info in infos)

    def _set_assignee(self, actor: Actor, row: TaskIndexRow, user_id: int | None, action: str) -> None:
        with self._runtime.unit(row.instance_id, actor) as unit:
            unit.ready_task(row.task_uuid)
            assignments = dict(unit.instance.assignments or {})
            if user_id is None:
                assignments.pop(row.task_uuid, None)
            else:
                assignments[row.task_uuid] = user_id
            unit.instance.assignments = assignments
            unit.audit(action, row.task_uuid, row.bpmn_id, assignee=user_id)
