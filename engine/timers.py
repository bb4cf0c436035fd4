"""Timers: when each waiting timer of an instance is due, and the sweep that fires them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow


def timer_deadlines(workflow: BpmnWorkflow) -> dict[UUID, tuple[str, datetime]]:
    """Each waiting timer task's id → (element id, due time in UTC)."""
    deadlines: dict[UUID, tuple[str, datetime]] = {}
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = definition.details(task).value
        if isinstance(value, str):
            deadlines[task.id] = (task.task_spec.bpmn_id, TimerEventDefinition.get_datetime(value))
        elif isinstance(value, dict) and isinstance(value.get("next"), str):
            deadlines[task.id] = (task.task_spec.bpmn_id, TimerEventDefinition.get_datetime(value["next"]))
    return deadlines
