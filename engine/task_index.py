"""The task index: the ready human tasks of one instance, as rows inboxes can query.

Rebuilt from the workflow on every save, so it can never drift from the instance's state;
a task keeps its `created_at` and `due_at` across rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import task_scope
from .models import Instance, TaskIndexRow


def ready_human_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


DueRule = Callable[[Task, datetime], tuple[datetime, bool] | None]


def rebuild(
    session: Session,
    instance: Instance,
    workflow: BpmnWorkflow,
    now: datetime,
    due_rule: DueRule,
    recompute_provisional: bool = False,
) -> list[tuple[TaskIndexRow, datetime | None]]:
    """Make the instance's index rows equal its current ready human tasks.

    A new task gets its due time from `due_rule(task, arrived_at)` (due, provisional); with
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
        current.append((row, previous_due))
    for stale in rows.values():
        session.delete(stale)
    return current
