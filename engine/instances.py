"""Process instances as callers see them: start, read (with tasks and history), list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import false, select
from sqlalchemy.orm import Session, sessionmaker

from . import form_options
from .access import Actor, may_view_instance
from .errors import Forbidden, NotFound
from .facts import field_labels
from .forms import resolve_options
from .history import HistoryService
from .i18n import N_
from .instance_view import confidential_keys, entries, sees_confidential_data
from .lint import NS
from .models import Instance, ProcessVersion, TaskIndexRow
from .related import related
from .roles import DISTRICT_ROLES, ROLES
from .runtime import RuntimeService
from .tasks import inbox_filter, row_dict
from .xmlsafe import parse


def lanes_with_role_names(xml: str, filename: str) -> str:
    """The model as a reader sees it: lanes named 服务商, 企业… instead of their role keys."""
    root = parse(xml.encode("utf-8"), filename)
    for lane in root.iter(f"{{{NS['bpmn']}}}lane"):
        lane.set("name", ROLES.get(lane.get("name", ""), lane.get("name", "")))
    return etree.tostring(root, encoding="unicode")


class InstanceService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService, history: HistoryService) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._history = history

    def start(self, process_id: str, actor: Actor, data: Mapping[str, Any] | None = None) -> int:
        return self._runtime.start(process_id, actor, data)

    def get(self, actor: Actor, instance_id: int) -> dict[str, Any]:
        """The instance with its ready tasks and its history, if the actor may see it."""
        with self._sessions() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
            version = session.get(ProcessVersion, instance.process_version_id)
            deployed = self._runtime.repository.get(instance.process_version_id)
            if not self._may_view(session, actor, instance):
                raise Forbidden(N_("无权查看此流程实例"))
            tasks = session.scalars(select(TaskIndexRow).where(TaskIndexRow.instance_id == instance_id))
            return {
                "id": instance.id,
                "process_id": instance.process_id,
                "process_name": deployed.name,
                "version": version.version if version else None,
                "status": instance.status,
                "business_key": instance.business_key,
                "district": instance.district,
                "provider_org_id": instance.provider_org_id,
                "enterprise_org_id": instance.enterprise_org_id,
                "error": {"element_id": instance.error_element, "message": instance.error_message}
                if instance.status == "error"
                else None,
                "created_at": instance.created_at,
                "updated_at": instance.updated_at,
                "completed_at": instance.completed_at,
                "tasks": [row_dict(t) for t in tasks],
                "history": self._history.for_instance(instance_id, deployed.element_names(), viewer=actor),
            }

    def diagram(self, actor: Actor, instance_id: int) -> dict[str, Any]:
        """The BPMN of the instance's version and which elements are done and active, for the
        diagram on the instance page."""
        self.get(actor, instance_id)
        instance, deployed, workflow = self._runtime.load(instance_id)
        with self._sessions() as session:
            version = session.get(ProcessVersion, instance.process_version_id)
            xml = lanes_with_role_names(version.files[f"{instance.process_id}.bpmn"], instance.process_id)
        done, active = set(), set()
        for task in workflow.get_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if bpmn_id is None:
                continue
            if task.state == TaskState.COMPLETED:
                done.add(bpmn_id)
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
                active.add(bpmn_id)
        return {"xml": xml, "done": sorted(done - active), "active": sorted(active)}

    def _may_view(self, session: Session, actor: Actor, instance: Instance) -> bool:
        roles = self._runtime.repository.get(instance.process_version_id).roles
        return may_view_instance(
            actor, instance.district, instance.provider_org_id, instance.enterprise_org_id, roles
        ) or self._has_task_in(session, actor, instance.id)

    @staticmethod
    def _has_task_in(session: Session, actor: Actor, instance_id: int) -> bool:
        """An actor with a task in an instance may read it, e.g. one district's finance in a
        city-wide plan, or an expert assigned a review."""
        where = inbox_filter(actor) & (TaskIndexRow.instance_id == instance_id)
        return session.scalar(select(TaskIndexRow.task_uuid).where(where).limit(1)) is not None

    def data(self, actor: Actor, instance_id: int) -> dict[str, Any]:
        """The instance's latest process data (from its most recent completed task); for anyone
        but the city bureau without the keys only experts enter (their scores and comments)."""
        self.get(actor, instance_id)
        _, deployed, workflow = self._runtime.load(instance_id)
        data = dict(workflow.last_task.data) if workflow.last_task else {}
        if sees_confidential_data(actor):
            return data
        hidden = confidential_keys(deployed.user_tasks.values())
        return {key: value for key, value in data.items() if key not in hidden}

    def entries(
        self, actor: Actor, instance_id: int, history: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """What was entered in each completed user task, labelled by its form, as the history
        shows it to `actor` (see `instance_view.entries`); `history` from `get` saves reading it again."""
        if history is None:
            history = self.get(actor, instance_id)["history"]
        with self._sessions() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
            deployed = self._runtime.repository.get(instance.process_version_id)
            context = form_options.OptionContext(session, actor, instance)

            def resolve(schema: dict[str, Any]) -> dict[str, Any]:
                names = form_options.referenced(schema)
                return resolve_options(schema, form_options.load(context, names)) if names else schema

            return entries(history, deployed.user_tasks, resolve)

    def related(self, actor: Actor, instance_id: int) -> list[dict[str, Any]]:
        """Records and instances linked to this one that `actor` may see (`related.related`)."""
        with self._sessions() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
            if not self._may_view(session, actor, instance):
                raise Forbidden(N_("无权查看此流程实例"))
            deployed = self._runtime.repository.get(instance.process_version_id)
            labels = field_labels((info.form, info.ui_schema) for info in deployed.user_tasks.values())
            choices = {name: label["choices"] for name, label in labels.items()}
            return related(session, instance, lambda other: self._may_view(session, actor, other), choices)

    def visible(self, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
        """Recent instances the actor may see, newest first."""
        query = select(Instance).order_by(Instance.id.desc()).limit(limit)
        if actor.role in DISTRICT_ROLES:
            query = query.where(Instance.district == actor.district)
        elif actor.role == "provider":
            query = query.where(Instance.provider_org_id == actor.organisation_id)
        elif actor.role == "enterprise":
            query = query.where(Instance.enterprise_org_id == actor.organisation_id)
        elif actor.role != "city_bureau":
            query = query.where(false())
        with self._sessions() as session:
            return [
                {
                    "id": i.id,
                    "process_id": i.process_id,
                    "business_key": i.business_key,
                    "status": i.status,
                    "district": i.district,
                    "updated_at": i.updated_at,
                }
                for i in session.scalars(query)
            ]
