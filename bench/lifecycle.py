"""Lifecycle throughput: N diagnosis projects from filing to payment, product against bare engine.

    .venv/bin/python -m bench.lifecycle [--n 100] [--runs sqlite,postgres,bare,bare-json] [--profile]

The same scenario (`lifecycle`) drives four runs, phase by phase as a programme year goes:
N projects are filed, confirmed, accepted, reported and rated; one subsidy application per
project is reviewed by the district bureau and finance, the city and three experts; one plan is
drafted, confirmed, announced for 5 working days (a timer), issued, released and paid per
district, which tells every application `subsidy_paid`.

- `sqlite` / `postgres`: the product. Every user task is completed through
  `TaskService.complete` by the user who may do it (role and scope from the task index; the
  assignee for experts), found through the task index; the announcement timer fires through
  `TimerService.sweep`; messages go through the runtime's outbox.
- `bare`: the same BPMN specs (as deployed) run by SpiffWorkflow's `BpmnWorkflow`, in memory;
  the same user tasks are completed with the same data. Service tasks call the same operators
  (handlers/) through the same sandboxed script engine, with a `HandlerContext` on an in-memory
  SQLite database populated like the product's, so the business records are written as well.
  Messages from operators are delivered with `send_event`; the timer with `refresh_timers`.
  What the bare run does not do: the task index, audit events (except those operators write
  themselves), form validation, access checks, start rules, locking, due dates, assignments.
- `bare-json`: `bare` plus SpiffWorkflow's own `BpmnWorkflowSerializer` JSON (with the spec,
  as the library does it) around every step: deserialize before, serialize after.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine.access import SYSTEM, Actor, task_scope
from engine.clock import MovableClock
from engine.models import Instance, TaskIndexRow
from engine.operators import HandlerContext, HandlerError
from engine.runtime import RuntimeService
from engine.scripting import DiagflowScriptEngine
from engine.services import ProcessEngine
from engine.timers import engine_time, timer_deadlines
from tests.support import ASSESSMENT, FILING, REPORT
from tests.support_plan import CONTACTS
from tests.support_subsidy import APPLICATION

from .common import (
    START,
    Population,
    database,
    load_average,
    populate,
    product_engine,
    record,
    save_profile,
    start_profiler,
    stopwatch,
    table,
)

PAID_ON = "2026-03-16"
SHM = Path("/dev/shm")  # noqa: S108 - tmpfs for a throw-away database of the bare runs
AFTER_ANNOUNCEMENT = START + timedelta(days=14)  # the 5-working-day announcement has ended

Answer = Callable[[Mapping[str, Any]], dict[str, Any]]


def constant(data: Mapping[str, Any]) -> Answer:
    return lambda _current: dict(data)


class Driver(ABC):
    """What the scenario needs from a run: start, complete every ready task of an element
    (each by whoever may do it), move the clock (firing due timers), read an instance."""

    needs_current = frozenset({"publish_announcement", "release_funds", "pay_providers"})
    user_tasks = 0

    @abstractmethod
    def start(self, process_id: str, actor: Actor) -> int: ...

    @abstractmethod
    def complete(self, instance_id: int, bpmn_id: str, answer: Answer) -> int: ...

    @abstractmethod
    def advance(self, clock: MovableClock, moment: Any) -> None: ...

    @abstractmethod
    def statuses(self, instance_ids: list[int]) -> dict[str, int]: ...


def lifecycle(driver: Driver, people: Population, clock: MovableClock, n: int) -> list[int]:
    """N projects, N applications, one plan; returns every instance id it started."""
    provider = [people.providers[k % len(people.providers)] for k in range(n)]
    projects = [driver.start("diagnosis_project", provider[k]) for k in range(n)]
    for k, project in enumerate(projects):
        enterprise = people.enterprises[k].organisation_id
        driver.complete(project, "file_contract", constant(FILING | {"contract_no": f"JNZD-2026-{k:05d}",
                                                                     "enterprise_id": enterprise}))
    steps = [
        ("confirm_filing", {"enterprise_confirmed": True}),
        ("review_filing", {"filing_decision": "accept", "review_comment": "材料齐全"}),
        ("submit_report", REPORT),
        ("confirm_assessment", ASSESSMENT),
    ]
    for bpmn_id, data in steps:
        for project in projects:
            driver.complete(project, bpmn_id, constant(data))

    applications = [driver.start("subsidy_application", provider[k]) for k in range(n)]
    for k, application in enumerate(applications):
        driver.complete(application, "apply_subsidy", constant(APPLICATION | {"projects": [projects[k]]}))
    steps = [
        ("district_bureau_review", {"bureau_decision": "approve", "bureau_comment": "材料齐全，同意报送"}),
        ("district_finance_review", {"finance_decision": "approve", "finance_comment": "初审通过，联合报送市级"}),
        ("city_review", {"city_decision": "accept", "other_requirements_met": True,
                         "other_requirements_note": "已核对企业申报承诺书和绩效目标表", "expert_count": 3}),
        ("score_application", {"expert_decision": "score", "score": 92.5,
                               "score_comment": "诊断报告条理清晰，建议可行。"}),
    ]
    for bpmn_id, data in steps:
        for application in applications:
            driver.complete(application, bpmn_id, constant(data))

    plan = driver.start("subsidy_plan", people.city)
    budget = (n * 50_000 + 100_000) * 100  # fen
    driver.complete(plan, "draft_plan", constant({"plan_year": 2026, "plan_title": "2026年度数字化转型诊断项目资助计划",
                                                 "plan_budget": budget}))
    driver.complete(plan, "confirm_plan", constant({"plan_decision": "confirm"}))
    driver.complete(plan, "publish_announcement",
                    lambda current: {"announcement_title": current["announcement_title"], **CONTACTS})
    driver.advance(clock, AFTER_ANNOUNCEMENT)
    driver.complete(plan, "issue_plan", constant({"issue_doc_no": "济工信数字〔2026〕5号"}))
    driver.complete(plan, "request_funds", constant({"request_doc_no": "济工信数字函〔2026〕12号"}))
    driver.complete(plan, "release_funds", lambda current: {"releases": [
        row | {"released_on": PAID_ON, "voucher_no": f"SCZ-{k:03d}"} for k, row in enumerate(current["releases"], 1)]})
    driver.complete(plan, "pay_providers", lambda current: {"payments": [
        row | {"paid_on": PAID_ON, "voucher_no": f"QCZ-{row['item_id']:04d}"} for row in current["payments"]]})
    return [*projects, *applications, plan]


# --------------------------------------------------------------------------
# The product
# --------------------------------------------------------------------------


class ProductDriver(Driver):
    def __init__(self, engine: ProcessEngine, people: Population) -> None:
        self.engine = engine
        self.people = people

    def start(self, process_id: str, actor: Actor) -> int:
        return self.engine.instances.start(process_id, actor)

    def complete(self, instance_id: int, bpmn_id: str, answer: Answer) -> int:
        done = 0
        while True:
            with self.engine.sessions() as session:
                row = session.scalar(
                    select(TaskIndexRow)
                    .where(TaskIndexRow.instance_id == instance_id, TaskIndexRow.bpmn_id == bpmn_id)
                    .order_by(TaskIndexRow.created_at, TaskIndexRow.task_uuid)
                    .limit(1)
                )
            if row is None:
                if not done:
                    raise RuntimeError(f"instance {instance_id} has no ready {bpmn_id}")
                return done
            actor = self.people.acting(row.role, row.district, row.organisation_id, row.assignee_id)
            current = self.engine.tasks.get(actor, row.task_uuid).data if bpmn_id in self.needs_current else {}
            self.engine.tasks.complete(actor, row.task_uuid, answer(current))
            self.user_tasks += 1
            done += 1

    def advance(self, clock: MovableClock, moment: Any) -> None:
        clock.set(moment)
        while self.engine.timers.sweep(limit=1000):
            pass

    def statuses(self, instance_ids: list[int]) -> dict[str, int]:
        with self.engine.sessions() as session:
            rows = session.execute(select(Instance.status, func.count()).where(Instance.id.in_(instance_ids))
                                   .group_by(Instance.status)).all()
        return dict(rows)


# --------------------------------------------------------------------------
# Bare SpiffWorkflow (with the same operators against an in-memory context)
# --------------------------------------------------------------------------


class BareDriver(Driver):
    """BpmnWorkflow objects kept in a dict (or as JSON with `serialize`); instance rows and
    business records in an in-memory SQLite database, because the operators read and write them."""

    def __init__(self, context: ProcessEngine, people: Population, serialize: bool) -> None:
        self.context = context
        self.people = people
        self.clock = context.clock
        self.serialize = serialize
        self.session = context.sessions()
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = DiagflowScriptEngine(context.runtime.functions, self._call_operator)
        self.workflows: dict[int, BpmnWorkflow | str] = {}
        self.waiting_timers: set[int] = set()
        self._row: Instance | None = None
        self._actor: Actor = SYSTEM
        self._outbox: list[tuple[int, str, dict[str, Any]]] = []

    # The operators' context: the instance row and the actor of the step running now.
    def _call_operator(self, task: Task, name: str, params: dict[str, Any]) -> dict[str, Any]:
        operator = self.context.runtime.operators.get(name)
        if operator is None:
            raise HandlerError(f"operator {name!r} is not registered")
        assert self._row is not None
        ctx = HandlerContext(session=self.session, instance=self._row, element_id=task.task_spec.bpmn_id,
                             data=task.data, clock=self.clock, actor=self._actor, outbox=self._outbox)
        return operator(ctx, params)

    def _load(self, instance_id: int) -> BpmnWorkflow:
        stored = self.workflows[instance_id]
        if isinstance(stored, str):
            workflow = self.serializer.deserialize_json(stored)
            workflow.script_engine = self.script_engine
            return workflow
        return stored

    def _store(self, instance_id: int, workflow: BpmnWorkflow) -> None:
        self.workflows[instance_id] = self.serializer.serialize_json(workflow) if self.serialize else workflow

    def _step(self, instance_id: int, actor: Actor, action: Callable[[BpmnWorkflow], Any]) -> Any:
        """One step: load → act → engine steps → save; then deliver the operators' messages."""
        workflow = self._load(instance_id)
        self._row, self._actor, self._outbox = self.session.get(Instance, instance_id), actor, []
        outbox = self._outbox
        with engine_time(self.clock):
            result = action(workflow)
        self._finish(instance_id, workflow)
        for target, name, payload in outbox:
            self._step(target, actor, lambda w, n=name, p=payload: _deliver(w, n, p))
        return result

    def _finish(self, instance_id: int, workflow: BpmnWorkflow) -> None:
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if failed:
            raise RuntimeError(f"instance {instance_id}: {[t.task_spec.bpmn_id for t in failed]} failed")
        row = self._row
        assert row is not None
        if workflow.is_completed() and row.status != "completed":
            row.status, row.completed_at = "completed", self.clock.now()
        if timer_deadlines(workflow):
            self.waiting_timers.add(instance_id)
        else:
            self.waiting_timers.discard(instance_id)
        self.session.commit()
        self._store(instance_id, workflow)

    def start(self, process_id: str, actor: Actor) -> int:
        deployed = self.context.repository.latest(process_id)
        now = self.clock.now()
        row = Instance(process_version_id=deployed.version_id, process_id=process_id, status="running",
                       serialized="", assignments={}, created_at=now, updated_at=now, started_by_id=actor.user_id,
                       **RuntimeService._starter_scope(self.session, actor))
        self.session.add(row)
        self.session.flush()
        row.business_key = f"{self.clock.local_now().year}-{row.id:06d}"
        self.workflows[row.id] = BpmnWorkflow(deployed.spec, deployed.subprocess_specs,
                                              script_engine=self.script_engine)
        if self.serialize:
            self._store(row.id, self.workflows[row.id])  # type: ignore[arg-type]
        self._step(row.id, actor, lambda w: w.do_engine_steps())
        return row.id

    def _actor_for(self, task: Task) -> Actor:
        row = self._row
        assert row is not None
        role = task.task_spec.lane or ""
        if role == "expert":
            return self.people.by_id[task.data["expert_id"]]
        district = task.data.get("district") if task.task_spec.bpmn_id == "pay_providers" else row.district
        scope = task_scope(role, district, row.provider_org_id, row.enterprise_org_id)
        return self.people.acting(role, scope.district, scope.organisation_id, None)

    def complete(self, instance_id: int, bpmn_id: str, answer: Answer) -> int:
        def ready(workflow: BpmnWorkflow) -> list[Task]:
            return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]

        def run_one(workflow: BpmnWorkflow) -> bool:
            tasks = ready(workflow)
            if not tasks:
                raise RuntimeError(f"instance {instance_id} has no ready {bpmn_id}")
            task = tasks[0]
            self._actor = self._actor_for(task)
            task.data.update(answer(dict(task.data)))
            task.run()
            workflow.do_engine_steps()
            return bool(ready(workflow))

        done, more = 0, True
        while more:
            more = self._step(instance_id, SYSTEM, run_one)
            self.user_tasks += 1
            done += 1
        return done

    def advance(self, clock: MovableClock, moment: Any) -> None:
        clock.set(moment)
        for instance_id in sorted(self.waiting_timers):
            self._step(instance_id, SYSTEM, _fire_timers)

    def statuses(self, instance_ids: list[int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for instance_id in instance_ids:
            status = self.session.get(Instance, instance_id).status
            counts[status] = counts.get(status, 0) + 1
        return counts


def _deliver(workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> None:
    workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
    workflow.do_engine_steps()


def _fire_timers(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()
    workflow.do_engine_steps()


# --------------------------------------------------------------------------
# Running and reporting
# --------------------------------------------------------------------------


def run(kind: str, n: int, workdir: Path, profile: bool) -> dict[str, Any]:
    clock = MovableClock(START)
    product = kind in ("sqlite", "postgres")
    # The bare runs' context: SQLite on tmpfs (RAM), WAL, so the calendar's own reads never
    # share the connection of the operators' session.
    memory = Path(tempfile.mkdtemp(prefix="diagflow-bench-", dir=SHM if SHM.is_dir() else None))
    with database(kind if product else "sqlite", workdir if product else memory) as url:
        engine = product_engine(url, clock)
        people = populate(engine, n)
        driver: Driver = ProductDriver(engine, people) if product else BareDriver(engine, people, kind == "bare-json")
        profiler = start_profiler() if profile else None
        with stopwatch() as elapsed:
            instance_ids = lifecycle(driver, people, clock, n)
        if profiler is not None:
            save_profile(profiler, f"lifecycle-{kind}")
        statuses = driver.statuses(instance_ids)
        engine.dispose()
    shutil.rmtree(memory, ignore_errors=True)
    if statuses != {"completed": len(instance_ids)}:
        raise RuntimeError(f"{kind}: not every instance completed: {statuses}")
    seconds = elapsed[0]
    result = {"kind": kind, "seconds": seconds, "cpu": elapsed[1], "instances": len(instance_ids),
              "user_tasks": driver.user_tasks,
              "lifecycles_s": n / seconds, "instances_s": len(instance_ids) / seconds,
              "tasks_s": driver.user_tasks / seconds}
    print(f"  {kind:<9} {seconds:7.2f} s ({elapsed[1]:.2f} CPU s)  {result['lifecycles_s']:7.2f} lifecycles/s  "
          f"{result['instances_s']:7.2f} instances/s  {result['tasks_s']:7.1f} user tasks/s  (load {load_average()})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="diagnosis projects (each with its own application)")
    parser.add_argument("--runs", default="bare,bare-json,sqlite,postgres",
                        help="comma-separated: sqlite, postgres, bare, bare-json")
    parser.add_argument("--profile", action="store_true", help="profile each run with pyinstrument (HTML in /tmp)")
    parser.add_argument("--no-record", action="store_true", help="print only, do not append to RESULTS.md")
    args = parser.parse_args()
    started_load = load_average()
    kinds = [k.strip() for k in args.runs.split(",") if k.strip()]
    print(f"lifecycle: {args.n} projects + {args.n} applications + 1 plan per run; load {started_load}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="diagflow-bench-") as workdir:
        for kind in kinds:
            (Path(workdir) / kind).mkdir()
            results[kind] = run(kind, args.n, Path(workdir) / kind, args.profile)
    rows = []
    reference = results.get("bare-json")
    bare = results.get("bare")
    for kind, result in results.items():
        rows.append([kind, f"{result['seconds']:.2f}", f"{result['cpu']:.2f}", result["instances"],
                     result["user_tasks"],
                     f"{result['lifecycles_s']:.2f}", f"{result['instances_s']:.2f}", f"{result['tasks_s']:.1f}",
                     f"{result['lifecycles_s'] / reference['lifecycles_s']:.2f}" if reference else "—",
                     f"{result['lifecycles_s'] / bare['lifecycles_s']:.2f}" if bare else "—",
                     f"{reference['cpu'] / result['cpu']:.2f}" if reference else "—"])
    lines = table(["run", "seconds", "CPU s (this process)", "instances", "user tasks", "lifecycles/s",
                   "instances/s", "user tasks/s",
                   "÷ bare-json", "÷ bare", "÷ bare-json by CPU s"], rows)
    if reference and "sqlite" in results:
        ratio = results["sqlite"]["lifecycles_s"] / reference["lifecycles_s"]
        lines += ["", f"target: product on SQLite ≥ 50% of bare-with-serialize → {ratio:.0%}, "
                      f"{'met' if ratio >= 0.5 else 'NOT met'}"]
    print("\n" + "\n".join(lines))
    if not args.no_record:
        record(f"Lifecycle throughput, N={args.n}", lines, started_load)


if __name__ == "__main__":
    main()
