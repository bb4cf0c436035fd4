"""What runs: start instances and change them, one transaction per change.

Every change follows the same path: load → refresh timers → act → engine steps → save
(instance + task index + audit + business records). Saves are guarded by the instance's
`lock_version`; when two changes race, exactly one commits and the other gets Conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import history, task_index
from .access import Actor
from .calendar import CalendarService
from .clock import SHANGHAI, Clock
from .errors import Conflict, Forbidden, InvalidData, NotFound
from .i18n import N_, label
from .models import Escalation, Instance, Organisation
from .operators import HandlerContext, HandlerError, OperatorRegistry, StartRules
from .repository import Deployed, RepositoryService
from .roles import DISTRICTS
from .scripting import DiagflowScriptEngine
from .timers import calendar_timer_ids, engine_time, timer_deadlines
from .workdays import CalendarFunctions

CONFLICT_MESSAGE = N_("该流程实例刚被他人修改，请刷新后重试")
# Held by the process owner (engine/incidents.py): nothing runs, no timer fires, no task completes.
HELD_STATUSES = {"suspended": N_("已挂起"), "cancelled": N_("已撤销")}


class Unit:
    """One transaction on one instance. Created by `RuntimeService.unit`, never directly."""

    def __init__(
        self, runtime: RuntimeService, session: Session, instance: Instance, deployed: Deployed, actor: Actor
    ) -> None:
        self.runtime = runtime
        self.session = session
        self.instance = instance
        self.deployed = deployed
        self.actor = actor
        self.clock = runtime.clock
        self._incidents: list[str] = []
        self._recompute = False
        self.outbox: list[tuple[int, str, dict[str, Any]]] = []
        engine = DiagflowScriptEngine(runtime.functions, self._call_operator)
        if instance.serialized:
            self.workflow = runtime.repository.serializer.load(instance.serialized, deployed.spec_json)
            self.workflow.script_engine = engine
        else:
            self.workflow = BpmnWorkflow(deployed.spec, deployed.subprocess_specs, script_engine=engine)
        # What the task index was built from at the last save, when the instance is as stored
        # (not new, not just migrated): equal inputs at save mean the index is already right.
        stored = instance.serialized and not inspect(instance).modified
        self._indexed = self._index_inputs(task_index.ready_human_tasks(self.workflow)) if stored else None

    def _index_inputs(self, ready: list[Task]) -> tuple[Any, ...]:
        """Everything `task_index.rebuild` makes rows from, but the clock (only new rows use it)."""
        instance = self.instance
        tasks = frozenset((str(task.id), task.task_spec.bpmn_id, task.task_spec.bpmn_name, task.task_spec.lane)
                          for task in ready)
        return (tasks, instance.process_version_id, dict(instance.assignments or {}),
                dict(instance.task_districts or {}), instance.district, instance.provider_org_id,
                instance.enterprise_org_id)

    def audit(self, action: str, task_uuid: str | None = None, element_id: str | None = None, **details: Any) -> None:
        history.record(
            self.session, self.clock, self.actor, action, self.instance.id, task_uuid, element_id, **details
        )

    def ready_task(self, task_uuid: str) -> Task:
        """The READY human task with this id, or Conflict (SpiffWorkflow does not check)."""
        task = self._find(task_uuid)
        if task is None:
            raise NotFound(N_("任务 %(task_id)s 不存在", task_id=task_uuid))
        if self.instance.status in HELD_STATUSES:
            raise Conflict(N_("流程实例%(status)s，任务暂不可办理", status=HELD_STATUSES[self.instance.status]))
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(N_("任务「%(task)s」当前不可办理（状态：%(state)s）", task=label(task.task_spec.bpmn_name),
                              state=TaskState.get_name(task.state)))
        return task

    def _find(self, task_uuid: str) -> Task | None:
        try:
            return self.workflow.get_task_from_id(UUID(task_uuid))
        except (ValueError, KeyError, TaskNotFoundException):
            return None

    def run(self, task: Task, data: Mapping[str, Any]) -> None:
        """Complete a ready human task with validated data, then let the engine move on."""
        task.data.update(data)
        task.run()
        self.steps()

    def steps(self) -> None:
        """Fire due timers and run every engine task; a failing element becomes an incident."""
        if self.instance.status in HELD_STATUSES:
            return
        waiting = timer_deadlines(self.workflow)
        try:
            self.workflow.refresh_timers()
            self._record_fired_timers(waiting)
            self.workflow.do_engine_steps()
        except WorkflowException as exc:
            self._incident(exc)
        self._prepare_new_tasks()

    def _record_fired_timers(self, waiting: dict[UUID, tuple[str, datetime]]) -> None:
        """Audit the timers that have just come due, before what they set off runs (a timer
        cancelled by its activity finishing is not one of them)."""
        now = self.clock.now()
        for task_id, (element_id, due) in waiting.items():
            task = self._find(str(task_id))
            if task is not None and task.state == TaskState.READY:
                lag = (now - due).total_seconds()
                self.audit("timer_fired", str(task_id), element_id, due_at=due.isoformat(), lag_seconds=lag)

    def _prepare_new_tasks(self) -> None:
        """Evaluate the model's `assignee` and `taskDistrict` expressions for new ready tasks.

        Experts and supervisors only see tasks assigned to them, so their tasks say who
        (`assignee` = `expert_id` inside a multi-instance expert review). A task for one district
        among several in one instance (a payment per district) says which (`taskDistrict`).
        """
        assignments = dict(self.instance.assignments or {})
        districts = dict(self.instance.task_districts or {})
        for task in task_index.ready_human_tasks(self.workflow):
            uuid = str(task.id)
            properties = (getattr(task.task_spec, "extensions", {}) or {}).get("properties", {})
            if properties.get("assignee") and uuid not in assignments:
                user_id = self._evaluate(task, properties["assignee"], _is_user_id, "a user id")
                if user_id is not None:
                    assignments[uuid] = user_id
                    self.audit("task_assigned", uuid, task.task_spec.bpmn_id, assignee=user_id, by="model")
            if properties.get("taskDistrict") and uuid not in districts:
                district = self._evaluate(task, properties["taskDistrict"], _is_district, "a district of Jinan")
                if district is not None:
                    districts[uuid] = district
        self.instance.assignments = assignments
        self.instance.task_districts = districts or None

    def _evaluate(self, task: Task, expression: str, check: Callable[[Any], bool], expected: str) -> Any:
        """A task property's expression, or None after recording an incident."""
        try:
            value = self.workflow.script_engine.evaluate(task, expression)
        except WorkflowException as exc:
            self._incident(exc)
            return None
        if not check(value):
            self._record_incident(task.task_spec.bpmn_id, f"{expression!r} gave {value!r}, not {expected}")
            return None
        return value

    def _incident(self, exc: WorkflowException) -> None:
        spec = getattr(exc, "task_spec", None)
        element = getattr(spec, "bpmn_id", None) or "unknown"
        message = str(exc.args[0]) if exc.args else exc.__class__.__name__
        self._record_incident(element, message, getattr(exc, "error_type", None))

    def _record_incident(self, element: str, message: str, error_type: str | None = None) -> None:
        self._incidents.append(element)
        self.instance.error_element = element
        self.instance.error_message = message
        self.audit("incident", element_id=element, message=message, error_type=error_type)

    def _call_operator(self, task: Task, name: str, params: dict[str, Any]) -> dict[str, Any]:
        operator = self.runtime.operators.get(name)
        if operator is None:
            raise HandlerError(f"operator {name!r} is not registered")
        context = HandlerContext(
            session=self.session,
            instance=self.instance,
            element_id=task.task_spec.bpmn_id,
            data=task.data,
            clock=self.clock,
            actor=self.actor,
            outbox=self.outbox,
            starter=lambda process_id, scope, data: self.runtime.start_from(self, process_id, scope, data),
        )
        result = operator(context, params)
        self.audit("operator_ran", str(task.id), task.task_spec.bpmn_id, operator=name)
        return result

    def save(self) -> None:
        """Write the workflow, its status, its next timer and its task index."""
        now = self.clock.now()
        instance = self.instance
        was = instance.status
        instance.serialized = self.runtime.repository.serializer.dump(self.workflow)
        instance.status = self._status()
        if instance.status != "error":
            instance.error_element = None
            instance.error_message = None
        timers = timer_deadlines(self.workflow)
        instance.next_timer_at = min((due for _, due in timers.values()), default=None)
        instance.provisional_timers = self._provisional_timers(timers) or None
        instance.updated_at = now
        if instance.status == "completed" and was != "completed":
            instance.completed_at = now
            self.audit("instance_completed")
        assigned = instance.assignments or {}
        ready_tasks = task_index.ready_human_tasks(self.workflow)
        ready = {str(t.id) for t in ready_tasks}
        instance.assignments = {uuid: user for uuid, user in assigned.items() if uuid in ready}
        districts = {uuid: d for uuid, d in (instance.task_districts or {}).items() if uuid in ready}
        instance.task_districts = districts or None
        if self._recompute or self._indexed is None or self._index_inputs(ready_tasks) != self._indexed:
            self._reindex(now)
        self.session.flush()

    def _reindex(self, now: datetime) -> None:
        """Rebuild the task index; resolve the escalations of tasks that left it."""
        instance = self.instance
        rows = task_index.rebuild(self.session, instance, self.workflow, now, self._due, self._priority,
                                  self._recompute)
        self.session.execute(
            update(Escalation)
            .where(Escalation.instance_id == instance.id, Escalation.resolved_at.is_(None),
                   Escalation.task_uuid.not_in([row.task_uuid for row, _ in rows]))
            .values(resolved_at=now)
        )
        for row, previous in rows:
            if previous is not None and previous != row.due_at:
                self.audit("deadline_recomputed", row.task_uuid, row.bpmn_id, kind="task_due",
                           old=_local_iso(previous), new=_local_iso(row.due_at))

    def _provisional_timers(self, timers: dict[UUID, tuple[str, datetime]]) -> dict[str, str]:
        calendar = self.runtime.calendar.current()
        today = self.clock.local_now().date()
        computed = calendar_timer_ids(self.workflow, CalendarFunctions.NAMES)
        return {
            str(task_id): due.astimezone(SHANGHAI).isoformat()
            for task_id, (_, due) in timers.items()
            if task_id in computed and calendar.provisional(today, due.astimezone(SHANGHAI).date())
        }

    def _due(self, task: Task, arrived: datetime) -> tuple[datetime, bool] | None:
        """When a task is due: `dueWorkingDays` working days after it arrived (Asia/Shanghai),
        and whether that rests on a year whose schedule is not published."""
        info = self.deployed.user_tasks.get(task.task_spec.bpmn_id)
        days = info.properties.get("dueWorkingDays") if info else None
        if not days:
            return None
        calendar = self.runtime.calendar.current()
        due = datetime.fromisoformat(CalendarFunctions(calendar).due_after_working_days(arrived, int(days)))
        provisional = calendar.provisional(arrived.astimezone(SHANGHAI).date(), due.date())
        return due.astimezone(UTC), provisional

    def _priority(self, task: Task) -> int:
        """The model's `priority` property of the task (higher comes first in inboxes), else 0."""
        info = self.deployed.user_tasks.get(task.task_spec.bpmn_id)
        declared = str(info.properties.get("priority", "")).strip() if info else ""
        return int(declared) if declared.lstrip("-").isdigit() else 0

    def recompute_deadlines(self) -> None:
        """Compute provisional timers and due times again (a year's schedule was entered)."""
        self._recompute = True
        for uuid, old in (self.instance.provisional_timers or {}).items():
            task = self._find(uuid)
            if task is None or task.state != TaskState.WAITING:
                continue
            task.internal_data.pop("event_value", None)
            task.internal_data.pop("event_fired", None)
            self.workflow.refresh_timers()
            new = timer_deadlines(self.workflow).get(task.id)
            self.audit("deadline_recomputed", uuid, task.task_spec.bpmn_id, kind="timer", old=old,
                       new=_local_iso(new[1]) if new else None)
        self.steps()

    def _status(self) -> str:
        if self.instance.status in HELD_STATUSES:
            return self.instance.status
        if self.workflow.get_tasks(state=TaskState.ERROR) or self._incidents:
            return "error"
        if self.workflow.is_completed():
            return "completed"
        return "running"


def _is_user_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_district(value: Any) -> bool:
    return value in DISTRICTS


def _local_iso(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


class RuntimeService:
    """Start instances and open units of work on them."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        repository: RepositoryService,
        operators: OperatorRegistry,
        calendar: CalendarService,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        start_rules: StartRules | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.repository = repository
        self.operators = operators
        self.calendar = calendar
        self.functions = {
            **CalendarFunctions(calendar.current).as_dict(),
            "now": lambda: clock.local_now().isoformat(),
            "today": lambda: clock.local_now().date().isoformat(),
            **(functions or {}),
        }
        self.start_rules = start_rules or {}

    def start(self, process_id: str, actor: Actor, data: Mapping[str, Any] | None = None) -> int:
        """Start the latest version of `process_id` as `actor`; the start event's lane says who may."""
        deployed = self.repository.latest(process_id)
        if actor.role not in deployed.starter_roles:
            raise Forbidden(N_("角色 %(role)s 不能发起流程 %(process_id)s", role=actor.role, process_id=process_id))
        if data:
            raise InvalidData({"data": N_("此流程发起时不接受数据，请在第一个任务中填写")})
        with self._guard(), engine_time(self.clock), self.sessions.begin() as session:
            instance_id, outbox = self._start_in(session, deployed, process_id, actor)
        self._deliver(outbox, actor)
        return instance_id

    def start_from(
        self, parent: Unit, process_id: str, scope: Mapping[str, Any], data: Mapping[str, Any]
    ) -> int:
        """Start `process_id` from a handler of `parent`, in the parent's transaction, with the
        given scope (district, provider_org_id, enterprise_org_id) and start data. No start rules
        apply: the parent's model decided to start it. Its messages go out after the parent commits."""
        deployed = self.repository.latest(process_id)
        instance_id, outbox = self._start_in(
            parent.session, deployed, process_id, parent.actor, scope=dict(scope), by=parent.instance.id,
            data=dict(data),
        )
        parent.outbox.extend(outbox)
        return instance_id

    def _start_in(
        self,
        session: Session,
        deployed: Deployed,
        process_id: str,
        actor: Actor,
        scope: dict[str, Any] | None = None,
        by: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> tuple[int, list[tuple[int, str, dict[str, Any]]]]:
        if scope is None:
            for rule in self.start_rules.get(process_id, ()):
                rule(session, actor, self.clock)
        now = self.clock.now()
        instance = Instance(
            process_version_id=deployed.version_id,
            process_id=process_id,
            status="running",
            serialized="",
            assignments={},
            created_at=now,
            updated_at=now,
            started_by_id=actor.user_id,
            **(scope if scope is not None else self._starter_scope(session, actor)),
        )
        session.add(instance)
        session.flush()
        instance.business_key = f"{self.clock.local_now().year}-{instance.id:06d}"
        unit = Unit(self, session, instance, deployed, actor)
        started_by = {"started_by_instance": by} if by is not None else {}
        unit.audit("instance_started", process_id=process_id, version=deployed.version, **started_by)
        for task in unit.workflow.get_tasks(state=TaskState.READY):
            task.data.update(data or {})
        unit.steps()
        unit.save()
        return instance.id, unit.outbox

    @staticmethod
    def _starter_scope(session: Session, actor: Actor) -> dict[str, Any]:
        scope: dict[str, Any] = {"district": actor.district}
        if actor.role in ("provider", "enterprise") and actor.organisation_id is not None:
            organisation = session.get(Organisation, actor.organisation_id)
            key = "provider_org_id" if actor.role == "provider" else "enterprise_org_id"
            scope[key] = actor.organisation_id
            if actor.role == "enterprise" and organisation is not None:
                scope["district"] = organisation.district
        return scope

    @contextmanager
    def unit(self, instance_id: int, actor: Actor) -> Iterator[Unit]:
        """A transaction on one instance: timers are refreshed before the caller acts,
        engine steps run and everything is saved after; a lost race raises Conflict."""
        with self._guard(), engine_time(self.clock), self.sessions.begin() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
            unit = Unit(self, session, instance, self.repository.get(instance.process_version_id), actor)
            unit.steps()
            yield unit
            unit.save()
        self._deliver(unit.outbox, actor)

    def deliver_message(self, actor: Actor, instance_id: int, name: str, payload: Mapping[str, Any]) -> None:
        """Deliver message `name` to one instance in its own transaction; Conflict when the
        instance is not running or nothing in it waits for that message."""
        with self.unit(instance_id, actor) as unit:
            if unit.instance.status != "running":
                raise Conflict(N_("流程实例已结束（%(status)s），不再接收消息「%(message)s」",
                                  status=unit.instance.status, message=name))
            try:
                unit.workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=dict(payload)))
            except WorkflowException:
                raise Conflict(N_("流程当前没有等待消息「%(message)s」", message=name)) from None
            unit.audit("message_received", message=name, payload=dict(payload))
            unit.steps()

    def _deliver(self, outbox: list[tuple[int, str, dict[str, Any]]], actor: Actor) -> None:
        """Send what handlers queued, after their transaction committed. A message nobody
        waits for is recorded on its target instead of being lost silently."""
        for instance_id, name, payload in outbox:
            try:
                self.deliver_message(actor, instance_id, name, payload)
            except (Conflict, NotFound) as refused:
                with self.sessions.begin() as session:
                    target = instance_id if session.get(Instance, instance_id) is not None else None
                    history.record(session, self.clock, actor, "message_undelivered", target,
                                   message=name, payload=payload, reason=refused.message)

    def advance_if_due(self, instance_id: int, actor: Actor) -> bool:
        """Fire the instance's due timers in a transaction of its own; False if another worker
        holds it (PostgreSQL: row lock, SKIP LOCKED), already advanced it, or nothing is due."""
        try:
            with self._guard(), engine_time(self.clock), self.sessions.begin() as session:
                instance = session.get(Instance, instance_id, with_for_update={"skip_locked": True})
                due = instance is not None and instance.status == "running" and instance.next_timer_at is not None
                if not due or instance.next_timer_at >= self.clock.now():
                    return False
                unit = Unit(self, session, instance, self.repository.get(instance.process_version_id), actor)
                unit.steps()
                unit.save()
        except Conflict:
            return False
        self._deliver(unit.outbox, actor)
        return True

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (StaleDataError, IntegrityError):
            raise Conflict(CONFLICT_MESSAGE) from None
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise Conflict(CONFLICT_MESSAGE) from None
            raise

    def load(self, instance_id: int) -> tuple[Instance, Deployed, BpmnWorkflow]:
        """Read an instance without changing it (for pages and the API)."""
        with self.sessions() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
            deployed = self.repository.get(instance.process_version_id)
            workflow = self.repository.serializer.load(instance.serialized, deployed.spec_json)
            return instance, deployed, workflow
