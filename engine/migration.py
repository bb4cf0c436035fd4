"""Move running instances from one deployed version of a process to another.

SpiffWorkflow 3.2 has no migration API. What works (tests/engine/test_migration.py runs it):
the instance is stored without its spec, so its task tree can be re-attached to the target
version's spec when every task that has happened or is happening (completed, cancelled,
ready, waiting, started, in error) names a task spec that exists in the target with the same
type. Predicted tasks (FUTURE, LIKELY, MAYBE) were derived from the old model's structure, so
they are dropped and predicted again from the target's structure below each task that is
under way; otherwise the instance would keep walking the old path.

Each instance moves in its own transaction after the check is made again on the row it
locks; a refusal or any failure rolls that transaction back, so the instance is untouched,
and is recorded in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from . import history
from .access import Actor
from .errors import Conflict, Forbidden, InvalidData
from .i18n import N_, Text, label
from .incidents import STATUS_LABELS
from .models import Instance
from .repository import Deployed
from .runtime import RuntimeService, Unit
from .timers import engine_time
from .versions import VersionService

PREDICTED = TaskState.FUTURE | TaskState.PREDICTED_MASK
UNDER_WAY = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
MOVABLE_STATUSES = ("running", "error", "suspended")
STATE_LABELS = {
    "COMPLETED": N_("已完成"), "CANCELLED": N_("已取消"), "READY": N_("待办理"), "WAITING": N_("等待中"),
    "STARTED": N_("进行中"), "ERROR": N_("出错"),
}
TYPE_LABELS = {
    "UserTask": N_("用户任务"), "ManualTask": N_("人工任务"), "ScriptTask": N_("脚本任务"),
    "ServiceTask": N_("服务任务"), "BusinessRuleTask": N_("业务规则任务"), "NoneTask": N_("任务"),
    "SubWorkflowTask": N_("子流程"), "CallActivity": N_("调用活动"), "ExclusiveGateway": N_("排他网关"),
    "ParallelGateway": N_("并行网关"), "InclusiveGateway": N_("包容网关"), "EventBasedGateway": N_("事件网关"),
}


class MigrationRefused(Exception):
    """The instance cannot move; `reasons` say why, element by element."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Plan:
    """Which versions an instance moves between."""

    process_id: str
    source: Deployed
    target: Deployed


def spec_types(spec_json: str) -> dict[str, str]:
    """Every task spec name of a version (main process and subprocesses) → its type."""
    specs = json.loads(spec_json)
    types: dict[str, str] = {}
    for spec in [specs["spec"], *specs["subprocess_specs"].values()]:
        types.update({name: task["typename"] for name, task in spec["task_specs"].items()})
    return types


def _task_maps(state: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield state["tasks"]
    for subprocess in state.get("subprocesses", {}).values():
        yield subprocess["tasks"]


def _typed(typename: str | None) -> str:
    kind = TYPE_LABELS.get(typename or "")
    return N_("%(kind)s（%(typename)s）", kind=kind, typename=typename) if kind else str(typename)


def _element(ident: str, name: str | None) -> Text:
    """`环节「审核备案」(review_filing)`, or `环节 review_filing` when the model gives no name."""
    return N_("环节「%(name)s」(%(id)s)", name=label(name), id=ident) if name else N_("环节 %(id)s", id=ident)


def reasons_against(state: dict[str, Any], source: dict[str, str], target: dict[str, str],
                    names: dict[str, str] | None = None) -> list[str]:
    """Why a stored instance cannot be re-attached to the target's task specs (empty: it can),
    each naming the element (its name from `names`, and its id) and what to do."""
    reasons: list[str] = []
    for tasks in _task_maps(state):
        for task in tasks.values():
            if task["state"] & PREDICTED:
                continue
            name, state_name = task["task_spec"], TaskState.get_name(task["state"])
            element = _element(name, (names or {}).get(name))
            where = N_("%(state)s，%(code)s", state=STATE_LABELS.get(state_name, state_name), code=state_name)
            if name not in target:
                reasons.append(N_("%(element)s（%(state)s）在目标版本中不存在：请在目标版本中保留 id 为 %(id)s 的环节，"
                                  "或等实例办完这一环节后再迁移", element=element, state=where, id=name))
            elif target[name] != source.get(name):
                reasons.append(N_("%(element)s（%(state)s）的类型由 %(old)s 变为 %(new)s："
                                  "请在目标版本中保持该环节的类型不变", element=element, state=where,
                                  old=_typed(source.get(name)), new=_typed(target[name])))
    return list(dict.fromkeys(reasons))


def without_predictions(state: dict[str, Any]) -> dict[str, Any]:
    """The stored instance with every predicted task removed from its task trees."""
    for tasks in _task_maps(state):
        dropped = {task_id for task_id, task in tasks.items() if task["state"] & PREDICTED}
        for task_id in dropped:
            del tasks[task_id]
        for task in tasks.values():
            task["children"] = [child for child in task["children"] if child not in dropped]
    return state


def predict_again(workflow: BpmnWorkflow) -> None:
    """Below each task under way that has nothing pending beneath it, predict the path
    from the (new) spec, as SpiffWorkflow does when a task becomes definite."""
    for task in workflow.get_tasks(state=UNDER_WAY):
        if any(child.has_state(TaskState.NOT_FINISHED_MASK) for child in task.children):
            continue
        task._sync_children(task.task_spec.outputs, TaskState.FUTURE)
        for child in task.children:
            if child.has_state(TaskState.FUTURE):
                child.task_spec._predict(child, mask=PREDICTED)


class MigrationService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService, versions: VersionService) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._versions = versions

    def plan(self, actor: Actor, process_id: str, source: int, target: int) -> Plan:
        if actor.role != "city_bureau":
            raise Forbidden(N_("只有市工业和信息化局（流程负责人）可以迁移流程实例"))
        if source == target:
            raise InvalidData({"target_version": N_("目标版本与原版本相同")})
        repository = self._runtime.repository
        return Plan(process_id, repository.get(self._versions.version_id(process_id, source)),
                    repository.get(self._versions.version_id(process_id, target)))

    def candidates(self, plan: Plan, instance_ids: Iterable[int] | None = None) -> list[int]:
        """The instances of the source version that are not finished (or those of `instance_ids`)."""
        query = select(Instance.id).where(Instance.process_version_id == plan.source.version_id,
                                          Instance.status.in_(MOVABLE_STATUSES))
        if instance_ids is not None:
            query = query.where(Instance.id.in_(list(instance_ids)))
        with self._sessions() as session:
            return list(session.scalars(query.order_by(Instance.id)))

    def dry_run(self, plan: Plan, instance_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Per instance: can it move, and if not, why — nothing is written."""
        results = []
        for instance_id in self._requested(plan, instance_ids):
            with self._sessions() as session:
                instance = session.get(Instance, instance_id)
                reasons = self._check(plan, instance)
                if not reasons:
                    reasons = self._trial(plan, instance.serialized)
                results.append(self._row(instance, reasons))
        return results

    def migrate(self, plan: Plan, actor: Actor, instance_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Move each instance in its own transaction, checking it again there; a refused or
        failed instance is left as it was and the refusal is audited."""
        results = []
        for instance_id in self._requested(plan, instance_ids):
            try:
                self._move(plan, actor, instance_id)
                results.append({"instance_id": instance_id, "migrated": True, "reasons": []})
            except MigrationRefused as refused:
                self._record_refusal(plan, actor, instance_id, refused.reasons)
                results.append({"instance_id": instance_id, "migrated": False, "reasons": refused.reasons})
        return results

    def _requested(self, plan: Plan, instance_ids: Iterable[int] | None) -> list[int]:
        """The instances asked for; one that is not of the source version is refused by name."""
        if instance_ids is None:
            return self.candidates(plan)
        wanted = list(dict.fromkeys(instance_ids))
        with self._sessions() as session:
            known = set(session.scalars(select(Instance.id).where(Instance.id.in_(wanted))))
        unknown = [str(i) for i in wanted if i not in known]
        if unknown:
            raise InvalidData({"instance_ids": N_("流程实例不存在：%(ids)s", ids=", ".join(unknown))})
        return wanted

    def _check(self, plan: Plan, instance: Instance) -> list[str]:
        if instance.process_version_id != plan.source.version_id:
            return [N_("实例不在流程 %(process_id)s 第 %(version)s 版上：请选择该版本的实例",
                       process_id=plan.process_id, version=plan.source.version)]
        if instance.status not in MOVABLE_STATUSES:
            status = STATUS_LABELS.get(instance.status, instance.status)
            return [N_("实例已结束（%(status)s），无需迁移", status=status)]
        state = json.loads(instance.serialized)
        return reasons_against(state, spec_types(plan.source.spec_json), spec_types(plan.target.spec_json),
                               plan.source.element_names())

    def _trial(self, plan: Plan, serialized: str) -> list[str]:
        """Re-attach in memory, exactly as `_move` will, to catch what the static check cannot."""
        try:
            workflow = self._runtime.repository.serializer.load(
                json.dumps(without_predictions(json.loads(serialized))), plan.target.spec_json)
            predict_again(workflow)
            self._runtime.repository.serializer.dump(workflow)
        except (WorkflowException, KeyError, ValueError, TypeError, AttributeError) as exc:
            return [N_("无法接到目标版本上（%(error)s: %(detail)s）：请检查目标版本中实例当前所在环节及其前后连线",
                       error=exc.__class__.__name__, detail=str(exc))]
        return []

    @staticmethod
    def _row(instance: Instance, reasons: list[str]) -> dict[str, Any]:
        return {"instance_id": instance.id, "business_key": instance.business_key, "status": instance.status,
                "can_migrate": not reasons, "reasons": reasons}

    def _move(self, plan: Plan, actor: Actor, instance_id: int) -> None:
        runtime = self._runtime
        try:
            with runtime._guard(), engine_time(runtime.clock), self._sessions.begin() as session:
                instance = session.get(Instance, instance_id)
                reasons = self._check(plan, instance) or self._trial(plan, instance.serialized)
                if reasons:
                    raise MigrationRefused(reasons)
                instance.serialized = json.dumps(without_predictions(json.loads(instance.serialized)))
                instance.process_version_id = plan.target.version_id
                unit = Unit(runtime, session, instance, plan.target, actor)
                predict_again(unit.workflow)
                unit.audit("instance_migrated", process_id=plan.process_id,
                           from_version=plan.source.version, to_version=plan.target.version)
                unit.save()
        except Conflict:  # the runtime's guard: someone else saved the instance first
            raise MigrationRefused([N_("实例刚被他人修改，未迁移，请重试")]) from None

    def _record_refusal(self, plan: Plan, actor: Actor, instance_id: int, reasons: list[str]) -> None:
        with self._sessions.begin() as session:
            history.record(session, self._runtime.clock, actor, "instance_migration_refused", instance_id,
                           process_id=plan.process_id, from_version=plan.source.version,
                           to_version=plan.target.version, reasons=reasons)
