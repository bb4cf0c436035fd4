"""Timers: when each waiting timer of an instance is due, and the engine's time inside them.

SpiffWorkflow's timer module asks `datetime.now()` directly. So that timers follow the
engine's clock (and tests and simulations can move time), that module's `datetime` is
replaced by a subclass whose `now()` reads the clock of the unit of work running in this
context; outside a unit it is the real time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from .clock import Clock

_CLOCK: ContextVar[Clock | None] = ContextVar("diagflow_clock", default=None)


class _EngineDatetime(datetime):
    """`datetime` whose `now()` is the running unit's clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        clock = _CLOCK.get()
        if clock is None:
            return datetime.now(tz)
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


spiff_timer.datetime = _EngineDatetime


@contextmanager
def engine_time(clock: Clock) -> Iterator[None]:
    """Run SpiffWorkflow's timer code on `clock` for the duration of the block."""
    token = _CLOCK.set(clock)
    try:
        yield
    finally:
        _CLOCK.reset(token)


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


def calendar_timer_ids(workflow: BpmnWorkflow, function_names: Iterable[str]) -> set[UUID]:
    """Waiting date timers whose expression calls one of the working-day functions: only
    these depend on the holiday schedule (a plain date or a duration does not)."""
    names = tuple(function_names)
    return {
        task.id
        for task in list(workflow.event_manager.tasks.values())
        if isinstance(task.task_spec.event_definition, TimeDateEventDefinition)
        and any(f"{name}(" in task.task_spec.event_definition.expression for name in names)
    }
