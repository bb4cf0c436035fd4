"""The task index: the ready human tasks of one instance, as rows inboxes can query.

Rebuilt from the workflow on every save, so it can never drift from the instance's state;
a task keeps its `created_at` and `due_at` across rebuilds. A task that leaves the index (done
or cancelled) is written to the task history, which stage durations are computed from, and
its drafts and handover record go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from .access import task_scope
from .errors import InvalidData
from .i18n import N_
from .models import Instance, TaskDraft, TaskHandover, TaskHistoryRow, TaskIndexRow


def ready_human_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


DueRule = Callable[[Task, datetime], tuple[datetime, bool] | None]
PriorityRule = Callable[[Task], int]


def rebuild(
    session: Session,
    instance: Instance,
    workflow: BpmnWorkflow,
    now: datetime,
    due_rule: DueRule,
    priority_rule: PriorityRule,
    recompute_provisional: bool = False,
) -> list[tuple[TaskIndexRow, datetime | None]]:
    """Make the instance's index rows equal its current ready human tasks.

    A new task gets its due time from `due_rule(task, arrived_at)` (due, provisional) and its
    priority from `priority_rule(task)`; with
    `recompute_provisional`, provisional due times are computed again. Returns each current
    row with its previous due time where that changed.
    """
    rows = {
        row.task_uuid: row
        for row in session.scalars(select(TaskIndexRow).where(TaskIndexRow.instance_id == instance.id))
    }
    current = []
    for task in ready_human_tasks(workflow):
        uuid = str(task.id)
        row = rows.pop(uuid, None)
        previous_due = None
        if row is None:
            row = TaskIndexRow(task_uuid=uuid, instance_id=instance.id, created_at=now, due_at=None)
            session.add(row)
            row.due_at, row.due_provisional = due_rule(task, now) or (None, False)
        elif recompute_provisional and row.due_provisional:
            previous_due = row.due_at
            row.due_at, row.due_provisional = due_rule(task, row.created_at) or (None, False)
        role = task.task_spec.lane or ""
        district = (instance.task_districts or {}).get(uuid, instance.district)
        scope = task_scope(role, district, instance.provider_org_id, instance.enterprise_org_id)
        row.process_id = instance.process_id
        row.bpmn_id = task.task_spec.bpmn_id
        row.name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
        row.role = role
        row.district = scope.district
        row.organisation_id = scope.organisation_id
        row.assignee_id = instance.assignments.get(uuid)
        row.state = "ready"
        row.priority = priority_rule(task)
        current.append((row, previous_due))
    retire(session, list(rows.values()), now)
    return current


def retire(session: Session, rows: list[TaskIndexRow], now: datetime) -> None:
    """Move tasks that are no longer ready into the history; drop their drafts and handovers."""
    if not rows:
        return
    uuids = [row.task_uuid for row in rows]
    for row in rows:
        session.merge(TaskHistoryRow(task_uuid=row.task_uuid, instance_id=row.instance_id, process_id=row.process_id,
                                   name=row.name, role=row.role, district=row.district,
                                   created_at=row.created_at, finished_at=now))
        session.delete(row)
    session.execute(delete(TaskDraft).where(TaskDraft.task_uuid.in_(uuids)))
    session.execute(delete(TaskHandover).where(TaskHandover.task_uuid.in_(uuids)))


# --------------------------------------------------------------------------
# Inbox queries: filters and sort orders on indexed columns
# --------------------------------------------------------------------------

DUE_SOON = timedelta(days=3)
SORTS = ("created", "due", "priority")
DUE_FILTERS = ("soon", "overdue")
CLAIM_FILTERS = ("mine", "unassigned")
_TEXT_LIMITS = {"process": 100, "stage": 200, "district": 40}


@dataclass(frozen=True)
class InboxQuery:
    """What an inbox shows: filters (all optional) and a sort order, as the URL carries them."""

    process: str | None = None
    stage: str | None = None
    district: str | None = None
    due: str | None = None
    claim: str | None = None
    sort: str = "created"

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> InboxQuery:
        """Read query parameters (or a saved filter); unknown values are refused by field name."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, limit in _TEXT_LIMITS.items():
            text = str(args.get(name) or "").strip()
            if len(text) > limit:
                errors[name] = N_("不能超过 %(limit)s 个字符", limit=limit)
            values[name] = text or None
        for name, allowed in (("due", DUE_FILTERS), ("claim", CLAIM_FILTERS), ("sort", SORTS)):
            text = str(args.get(name) or "").strip()
            if text and text not in allowed:
                errors[name] = N_("取值应为 %(allowed)s 之一", allowed=" / ".join(allowed))
            values[name] = text or None
        if errors:
            raise InvalidData(errors)
        values["sort"] = values["sort"] or "created"
        return cls(**values)

    def as_args(self) -> dict[str, str]:
        """The non-default parts, for links and for saving the filter."""
        defaults = asdict(InboxQuery())
        return {key: value for key, value in asdict(self).items() if value and value != defaults[key]}

    def where(self, user_id: int | None, now: datetime) -> list[ColumnElement[bool]]:
        """The WHERE clauses of the filters (added to the caller's role-and-scope clause)."""
        clauses: list[ColumnElement[bool]] = []
        for value, column in ((self.process, TaskIndexRow.process_id), (self.stage, TaskIndexRow.name),
                              (self.district, TaskIndexRow.district)):
            if value:
                clauses.append(column == value)
        if self.due == "overdue":
            clauses.append(TaskIndexRow.due_at < now)
        elif self.due == "soon":
            clauses.append(TaskIndexRow.due_at >= now)
            clauses.append(TaskIndexRow.due_at < now + DUE_SOON)
        if self.claim == "mine":
            clauses.append(TaskIndexRow.assignee_id == user_id)
        elif self.claim == "unassigned":
            clauses.append(TaskIndexRow.assignee_id.is_(None))
        return clauses

    def order_by(self) -> list[ColumnElement[Any]]:
        """Sort columns, each backed by a (role, column) index; the task id breaks ties."""
        due = TaskIndexRow.due_at.asc().nulls_last()
        first = {
            "created": [TaskIndexRow.created_at],
            "due": [due, TaskIndexRow.created_at],
            "priority": [TaskIndexRow.priority.desc(), due, TaskIndexRow.created_at],
        }[self.sort]
        return [*first, TaskIndexRow.task_uuid]
