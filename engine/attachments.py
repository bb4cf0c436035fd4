"""Attachments: files uploaded for a task's form, a comment, or a public objection.

The type is judged by content (`filetypes.py`), the blob is stored once per sha256 in the
database (so a database backup is complete), and reading goes through the same rule as
reading the instance: whoever may see the instance may see its files. Objection scans name
the objector, whose identity is confidential, so only the city bureau reads them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor, Scope, may_act_on_task
from .clock import Clock
from .errors import Forbidden, InvalidData, NotFound
from .filetypes import EXTENSIONS_OF, check_file, max_upload_bytes
from .forms import attachment_references
from .history import record
from .i18n import N_
from .models import Attachment, AttachmentBlob, Instance, TaskIndexRow

if TYPE_CHECKING:
    from .instances import InstanceService

PURPOSE_TASK = "task"
PURPOSE_COMMENT = "comment"
PURPOSE_OBJECTION = "objection"
PURPOSES = (PURPOSE_TASK, PURPOSE_COMMENT, PURPOSE_OBJECTION)
PUBLIC = Actor(user_id=None, username="public", role="public", display_name=N_("社会公众"))


def meta(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "sha256": attachment.sha256,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }


def attachment_errors(
    session: Session, instance_id: int, schema: Mapping[str, Any], data: object
) -> dict[str, str]:
    """{field path: message} for every attachment id in `data` that is unknown, belongs to
    another instance, or is not the field's media type: a form cannot point at someone
    else's file, nor pass a picture off as the report PDF."""
    references = attachment_references(dict(schema), data)
    if not references:
        return {}
    ids = {attachment_id for attachment_id, _ in references.values()}
    found = {row.id: row for row in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    errors = {}
    for path, (attachment_id, media_type) in references.items():
        attachment = found.get(attachment_id)
        if attachment is None or attachment.instance_id != instance_id or attachment.purpose == PURPOSE_OBJECTION:
            errors[path] = N_("附件不存在或不属于本项目，请重新上传")
        elif media_type and attachment.content_type != media_type:
            errors[path] = N_("应上传 %(file_type)s 文件", file_type=EXTENSIONS_OF.get(media_type, media_type))
    return errors


class AttachmentService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, instances: InstanceService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._instances = instances

    def store(
        self,
        actor: Actor | None,
        data: bytes,
        filename: str,
        *,
        purpose: str,
        instance_id: int | None = None,
        task_id: str | None = None,
        field: str | None = None,
    ) -> dict[str, Any]:
        """Check and keep one upload; returns its id, sha256, name, content type and size.

        A task upload needs a task the actor may act on (its instance is the task's); a comment
        upload an instance the actor may see; only objection scans may come from the public
        (`actor` None). Refusals raise before anything is written.
        """
        if purpose not in PURPOSES:
            raise InvalidData({"purpose": N_("未知的附件用途")})
        if actor is None and purpose != PURPOSE_OBJECTION:
            raise Forbidden(N_("请先登录后再上传附件"))
        checked = check_file(data, filename, field or "file", max_upload_bytes())
        with self._sessions.begin() as session:
            instance_id = self._scope(session, actor, purpose, instance_id, task_id)
            digest = hashlib.sha256(data).hexdigest()
            _insert_blob(session, digest, data, self._clock)
            attachment = Attachment(
                id=uuid.uuid4().hex, sha256=digest, filename=checked.filename, content_type=checked.content_type,
                size=len(data), purpose=purpose, instance_id=instance_id, task_uuid=task_id, field=field,
                uploaded_by_id=actor.user_id if actor else None, uploaded_at=self._clock.now(),
            )
            session.add(attachment)
            record(session, self._clock, actor or PUBLIC, "attachment_added", instance_id, task_id,
                   attachment_id=attachment.id, filename=attachment.filename, sha256=digest, field=field)
            return meta(attachment)

    def _scope(
        self, session: Session, actor: Actor | None, purpose: str, instance_id: int | None, task_id: str | None
    ) -> int | None:
        """The instance the upload belongs to, once the actor is known to be allowed there."""
        if purpose == PURPOSE_TASK:
            return _task_instance(session, actor, instance_id, task_id)
        if purpose == PURPOSE_COMMENT:
            if instance_id is None:
                raise InvalidData({"instance_id": N_("请指定流程实例")})
            self._instances.get(actor, instance_id)
            return instance_id
        if instance_id is not None and session.get(Instance, instance_id) is None:
            raise NotFound(N_("流程实例 %(instance_id)s 不存在", instance_id=instance_id))
        return instance_id

    def read(self, actor: Actor | None, attachment_id: str) -> tuple[dict[str, Any], bytes]:
        """The attachment's meta and content, if the actor may see it."""
        with self._sessions() as session:
            attachment = self._visible(session, actor, attachment_id)
            return meta(attachment), session.get(AttachmentBlob, attachment.sha256).data

    def describe(self, actor: Actor | None, attachment_id: str) -> dict[str, Any]:
        """The attachment's meta without its content, if the actor may see it."""
        with self._sessions() as session:
            return meta(self._visible(session, actor, attachment_id))

    def for_instance(self, actor: Actor, instance_id: int) -> list[dict[str, Any]]:
        """The instance's files (objection scans only for the city bureau), oldest first."""
        self._instances.get(actor, instance_id)
        query = select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.uploaded_at)
        if actor.role != "city_bureau":
            query = query.where(Attachment.purpose != PURPOSE_OBJECTION)
        with self._sessions() as session:
            return [meta(a) | {"purpose": a.purpose, "field": a.field, "uploaded_at": a.uploaded_at}
                    for a in session.scalars(query)]

    def _visible(self, session: Session, actor: Actor | None, attachment_id: str) -> Attachment:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(N_("附件不存在"))
        if actor is None:
            raise Forbidden(N_("请先登录"))
        if attachment.purpose == PURPOSE_OBJECTION:
            if actor.role != "city_bureau":
                raise Forbidden(N_("异议材料仅市工业和信息化局可以查看"))
        elif attachment.instance_id is None:
            raise Forbidden(N_("无权查看此附件"))
        else:
            self._instances.get(actor, attachment.instance_id)
        return attachment


def _task_instance(session: Session, actor: Actor | None, instance_id: int | None, task_id: str | None) -> int:
    """The task's instance, if the actor may act on the task (and named it, if given)."""
    if not task_id:
        raise InvalidData({"task_id": N_("请指定任务")})
    row = session.get(TaskIndexRow, task_id)
    if row is None:
        raise NotFound(N_("任务 %(task_id)s 不存在或已办结", task_id=task_id))
    if actor is None or not may_act_on_task(actor, row.role, Scope(row.district, row.organisation_id), row.assignee_id):
        raise Forbidden(N_("无权为此任务上传附件"))
    if instance_id is not None and instance_id != row.instance_id:
        raise InvalidData({"instance_id": N_("任务不属于该流程实例")})
    return row.instance_id


def _insert_blob(session: Session, digest: str, data: bytes, clock: Clock) -> None:
    """Insert the blob unless the same content is already stored (also when two uploads race)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(AttachmentBlob).values(sha256=digest, size=len(data), data=data, created_at=clock.now())
    session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))
