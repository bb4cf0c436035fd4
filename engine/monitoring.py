"""What the process owner watches: per process and version, where the unfinished instances
are (how many on each element, and for how many working days on average), and which
instances are stuck (not finished, nothing ready, nothing waited for: a modelling error such
as a join waiting for a branch that was never taken).

These read serialized workflows, so they are for the owner's pages, not for inboxes (which
read the task index only). Time on an element is counted from when the task arrived (the task
index) for human tasks, and from the instance's last change for anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .instances import lanes_with_role_names
from .models import Instance, ProcessVersion, TaskIndexRow
from .runtime import RuntimeService
from .workdays import CalendarFunctions

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
UNFINISHED = ("running", "error", "suspended")


def active_elements(workflow: BpmnWorkflow) -> dict[str, list[str]]:
    """Each BPMN element with a task under way → the ids of those tasks."""
    found: dict[str, list[str]] = defaultdict(list)
    for task in workflow.get_tasks(state=ACTIVE):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            found[bpmn_id].append(str(task.id))
    return dict(found)


def is_stuck(workflow: BpmnWorkflow) -> bool:
    """Not finished, no task ready anywhere, and no timer or message waited for."""
    return (not workflow.is_completed() and not workflow.get_tasks(state=TaskState.READY)
            and not workflow.waiting_events())


class MonitoringService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService) -> None:
        self._sessions = sessions
        self._runtime = runtime

    def overview(self) -> list[dict[str, Any]]:
        """Every deployed version with its instances counted by status."""
        with self._sessions() as session:
            counts: dict[int, dict[str, int]] = defaultdict(dict)
            for version_id, status, n in session.execute(
                select(Instance.process_version_id, Instance.status, func.count()).group_by(
                    Instance.process_version_id, Instance.status)):
                counts[version_id][status] = n
            rows = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                   ProcessVersion.version.desc()))
            return [{"process_id": row.process_id, "version": row.version, "deployed_at": row.deployed_at,
                     "deployed_by": row.deployed_by, "name": self._runtime.repository.get(row.id).name,
                     "counts": counts.get(row.id, {})} for row in rows]

    def _unfinished(self, session: Session, version_id: int) -> Iterator[tuple[Instance, BpmnWorkflow]]:
        deployed = self._runtime.repository.get(version_id)
        query = select(Instance).where(Instance.process_version_id == version_id, Instance.status.in_(UNFINISHED))
        for instance in session.scalars(query.order_by(Instance.id)):
            yield instance, self._runtime.repository.serializer.load(instance.serialized, deployed.spec_json)

    def heatmap(self, version_id: int) -> dict[str, Any]:
        """The version's diagram (lanes named by role) with, per element, the number of
        unfinished instances there and their average working days there so far."""
        now = self._runtime.clock.now()
        days = CalendarFunctions(self._runtime.calendar.current())
        spent: dict[str, list[int]] = defaultdict(list)
        with self._sessions() as session:
            version = session.get(ProcessVersion, version_id)
            for instance, workflow in self._unfinished(session, version_id):
                arrived = self._arrivals(session, instance.id)
                for element, task_ids in active_elements(workflow).items():
                    since = min((arrived[t] for t in task_ids if t in arrived), default=instance.updated_at)
                    spent[element].append(days.working_days_between(since, now))
            xml = lanes_with_role_names(version.files[f"{version.process_id}.bpmn"], version.process_id)
        return {
            "process_id": version.process_id,
            "version": version.version,
            "xml": xml,
            "elements": {element: {"active": len(values), "avg_working_days": round(sum(values) / len(values), 1)}
                         for element, values in sorted(spent.items())},
        }

    @staticmethod
    def _arrivals(session: Session, instance_id: int) -> dict[str, datetime]:
        rows = session.execute(select(TaskIndexRow.task_uuid, TaskIndexRow.created_at)
                               .where(TaskIndexRow.instance_id == instance_id))
        return {uuid: created for uuid, created in rows}

    def stuck(self, process_id: str | None = None) -> list[dict[str, Any]]:
        """Running instances that can never move on by themselves."""
        query = select(Instance.process_version_id).where(Instance.status == "running").distinct()
        if process_id is not None:
            query = query.where(Instance.process_id == process_id)
        found = []
        with self._sessions() as session:
            for version_id in list(session.scalars(query)):
                found.extend(
                    {"instance_id": instance.id, "business_key": instance.business_key,
                     "process_id": instance.process_id, "updated_at": instance.updated_at,
                     "elements": sorted(active_elements(workflow))}
                    for instance, workflow in self._unfinished(session, version_id)
                    if instance.status == "running" and is_stuck(workflow))
        return sorted(found, key=lambda row: row["instance_id"])

    def instances(self, version_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """The version's unfinished instances, most recently changed first (the page's list
        to suspend, resume, cancel, retry or pick for migration)."""
        query = (select(Instance).where(Instance.process_version_id == version_id, Instance.status.in_(UNFINISHED))
                 .order_by(Instance.updated_at.desc()).limit(limit))
        with self._sessions() as session:
            return [{"id": i.id, "business_key": i.business_key, "status": i.status, "district": i.district,
                     "updated_at": i.updated_at, "error_element": i.error_element} for i in session.scalars(query)]
