"""The task index: the ready human tasks of one instance, as rows inboxes can query.

Rebuilt from the workflow on every save, so it can never drift from the instance's state;
a task keeps its `created_at` and `due_at` across rebuilds.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import task_scope
from .models import Instance, TaskIndexRow


def ready_human_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def rebuild(session: Session, instance: Instance, workflow: BpmnWorkflow, now: datetime) -> list[TaskIndexRow]:
    """Make the instance's index rows equal its current ready human tasks."""
    rows = {
        row.task_uuid: row
        for row in session.scalars(select(TaskIndexRow).where(TaskIndexRow.instance_id == instance.id))
    }
    current = []
    for task in ready_human_tasks(workflow):
        uuid = str(task.id)
        row = rows.pop(uuid, None)
        if row is None:
            row = TaskIndexRow(task_uuid=uuid, instance_id=instance.id, created_at=now, due_at=None)
            session.add(row)
        role = task.task_spec.lane or ""
        scope = task_scope(role, instance.district, instance.provider_org_id, instance.enterprise_org_id)
        row.process_id = instance.process_id
        row.bpmn_id = task.task_spec.bpmn_id
        row.name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
        row.role = role
        row.district = scope.district
        row.organisation_id = scope.organisation_id
        row.assignee_id = instance.assignments.get(uuid)
        row.state = "ready"
        current.append(row)
    for stale in rows.values():
        session.delete(stale)
    return current
