"""The process owner's hand on single instances: retry an incident, suspend, resume, cancel.

Each is one unit of work (one transaction, audited). A suspended instance keeps its state but
nothing in it moves: its tasks refuse completion, its timers do not fire (the sweep takes
running instances only) and messages are refused; resuming lets due timers fire at once.
A cancelled instance is finished for good.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .errors import Conflict, Forbidden
from .i18n import N_
from .models import AuditEvent, Instance, ProcessVersion
from .runtime import RuntimeService

# As the pages name instance statuses (webui/views.py).
STATUS_LABELS = {"running": N_("办理中"), "completed": N_("已办结"), "error": N_("异常"), "cancelled": N_("已取消"),
                 "suspended": N_("已挂起")}


def _owner_only(actor: Actor) -> None:
    if actor.role != "city_bureau":
        raise Forbidden(N_("只有市工业和信息化局（流程负责人）可以处理流程实例的异常与挂起"))


class IncidentService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService) -> None:
        self._sessions = sessions
        self._runtime = runtime

    def open(self, process_id: str | None = None) -> list[dict[str, Any]]:
        """Instances in error, newest first: the failed element, the message, and the audit
        details of the incident (error type) for the list and its detail view."""
        query = (select(Instance, ProcessVersion.version)
                 .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
                 .where(Instance.status == "error").order_by(Instance.updated_at.desc()))
        if process_id is not None:
            query = query.where(Instance.process_id == process_id)
        with self._sessions() as session:
            return [self._incident(session, instance, version) for instance, version in session.execute(query)]

    @staticmethod
    def _incident(session: Session, instance: Instance, version: int) -> dict[str, Any]:
        event = session.scalar(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                        AuditEvent.action == "incident")
                               .order_by(AuditEvent.id.desc()).limit(1))
        return {
            "instance_id": instance.id,
            "business_key": instance.business_key,
            "process_id": instance.process_id,
            "version": version,
            "element_id": instance.error_element,
            "message": instance.error_message,
            "error_type": event.details.get("error_type") if event is not None else None,
            "at": event.at if event is not None else instance.updated_at,
        }

    def retry(self, actor: Actor, instance_id: int) -> str:
        """Run the failed element again (after the data or the model was fixed); returns the
        instance's status afterwards — "error" again if it failed again."""
        _owner_only(actor)
        with self._runtime.unit(instance_id, actor) as unit:
            if unit.instance.status != "error":
                raise Conflict(N_("流程实例没有待处理的异常，无需重试"))
            unit.audit("incident_retried", element_id=unit.instance.error_element)
            for task in unit.workflow.get_tasks(state=TaskState.ERROR):
                unit.workflow.reset_from_task_id(task.id)
            unit.instance.status = "running"
            unit.steps()
        return self._status(instance_id)

    def suspend(self, actor: Actor, instance_id: int, reason: str = "") -> None:
        self._hold(actor, instance_id, "suspended", ("running", "error"), "instance_suspended", reason)

    def resume(self, actor: Actor, instance_id: int) -> None:
        self._hold(actor, instance_id, "running", ("suspended",), "instance_resumed", "")

    def cancel(self, actor: Actor, instance_id: int, reason: str = "") -> None:
        """End the instance without completing it: every task is cancelled, nothing is due."""
        _owner_only(actor)
        with self._runtime.unit(instance_id, actor) as unit:
            if unit.instance.status in ("completed", "cancelled"):
                raise Conflict(N_("流程实例已结束（%(status)s），不能撤销",
                                  status=STATUS_LABELS.get(unit.instance.status, unit.instance.status)))
            unit.audit("instance_cancelled", reason=reason, was=unit.instance.status)
            unit.workflow.cancel()
            unit.instance.status = "cancelled"

    def _hold(self, actor: Actor, instance_id: int, status: str, allowed: tuple[str, ...], action: str,
              reason: str) -> None:
        _owner_only(actor)
        with self._runtime.unit(instance_id, actor) as unit:
            if unit.instance.status not in allowed:
                raise Conflict(N_("流程实例当前状态为“%(status)s”，不能执行此操作",
                                  status=STATUS_LABELS.get(unit.instance.status, unit.instance.status)))
            unit.audit(action, reason=reason, was=unit.instance.status)
            unit.instance.status = status
            unit.steps()

    def _status(self, instance_id: int) -> str:
        with self._sessions() as session:
            return session.scalar(select(Instance.status).where(Instance.id == instance_id)) or ""
