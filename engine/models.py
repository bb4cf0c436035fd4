"""The store: typed SQLAlchemy models for identity, deployed models, instances, tasks, audit.

Business records (filings, reports, applications, ...) live in `engine.records`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite has no zones) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    """A provider (服务商) or an enterprise (企业), identified by its 统一社会信用代码."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    district: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32), index=True)
    district: Mapped[str | None] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ProcessVersion(Base):
    """One deployed version of a process: its files, their hash, and the serialized spec."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]]
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(64))


class Instance(Base):
    """A running or finished process instance; `lock_version` guards concurrent saves."""

    __tablename__ = "instances"
    # The timer sweep's query (status = 'running' AND next_timer_at < now ORDER BY next_timer_at):
    # without it SQLite picks the status index and sorts every running instance (bench/sweep.py).
    __table_args__ = (Index("ix_instances_status_timer", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    provider_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    enterprise_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    serialized: Mapped[str] = mapped_column(Text)
    assignments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    task_districts: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    provisional_timers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    error_element: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}


class TaskIndexRow(Base):
    """A human task that is ready, as inboxes see it; rebuilt from the workflow on every save."""

    __tablename__ = "task_index"
    __table_args__ = (
        Index("ix_task_index_role_district", "role", "district"),
        Index("ix_task_index_role_org", "role", "organisation_id"),
        # Inbox pages in their scope's order, read from the index and stopped at the LIMIT.
        Index("ix_task_index_role_created", "role", "created_at"),
        Index("ix_task_index_role_district_created", "role", "district", "created_at", "task_uuid"),
        Index("ix_task_index_role_org_created", "role", "organisation_id", "created_at", "task_uuid"),
        Index("ix_task_index_role_district_due", "role", "district", "due_at", "created_at", "task_uuid"),
    )

    task_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    due_provisional: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One action on the record; rows are only ever inserted, each hashed with its predecessor
    in its chain so that a changed, inserted or deleted row is detectable."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    chain: Mapped[str] = mapped_column(String(40), default="")
    seq: Mapped[int] = mapped_column(default=0)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (UniqueConstraint("chain", "seq"),)


class AuditHead(Base):
    """The newest event of one audit chain: "instance:<id>" per instance, "global" for the rest.

    Writers update the head in the same transaction as the event, guarded by a version
    column, so two writers can never both extend the chain from the same event.
    """

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}


class AuditAnchor(Base):
    """One row per audit chain, written with the chain's first event and linked to the anchor
    before it: a chain of chains, so deleting an instance's whole history (events and head)
    still leaves a row, or a successor's link, that names it."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40), unique=True)
    first_hash: Mapped[str] = mapped_column(String(64))
    prev_chain: Mapped[str] = mapped_column(String(40), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


class CalendarDay(Base):
    """A statutory holiday or an adjusted working day (调休); ordinary days are not stored."""

    __tablename__ = "calendar_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))


class CalendarYear(Base):
    """A year whose schedule is known; deadlines in other years are provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(64))


class Escalation(Base):
    """An overdue task handed to the role that supervises it (督办), until the task is done."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_target", "target_role", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_name: Mapped[str] = mapped_column(String(200))
    task_role: Mapped[str] = mapped_column(String(32))
    target_role: Mapped[str] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)


class Notification(Base):
    """A message for one user, or for everyone holding a role in a scope."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_role", "role", "district", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    # The title's template and values (engine.i18n.Text.to_json), so pages in English can say it.
    title_text: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    link: Mapped[str | None] = mapped_column(String(300))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class LoginFailure(Base):
    """Failed sign-ins per username in the current window; too many lock the name for a while."""

    __tablename__ = "login_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int]
    first_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


# Inbox, drafts, notifications read state and stage history (migration 0005).


class TaskDraft(Base):
    """What one user has typed into a task's form but not submitted; gone when the task is."""

    __tablename__ = "task_drafts"

    task_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[datetime]


class SavedFilter(Base):
    """An inbox filter a user named, to come back to it with one click."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class TaskHandover(Base):
    """Who handed a task to its holder (delegated or assigned), so the holder can give it back."""

    __tablename__ = "task_handovers"

    task_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    previous_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class NotificationRead(Base):
    """One user has read one notification (role notifications are shared, their reading is not)."""

    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime]


class TaskHistoryRow(Base):
    """A human task that has left the index (done or cancelled): when it arrived and left,
    so dashboards can say how long each stage takes without reading workflows."""

    __tablename__ = "task_history"
    __table_args__ = (Index("ix_task_history_stage", "process_id", "name"),)

    task_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(index=True)


class AttachmentBlob(Base):
    """File content, stored once per sha256 however often it is uploaded (in the database, so a
    database backup holds every file)."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes]
    created_at: Mapped[datetime]


class Attachment(Base):
    """One upload: a name and a purpose pointing at a blob, in the scope of an instance (or a
    public objection scan, which has no instance yet). The id is random so it cannot be guessed."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(20))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    field: Mapped[str | None] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class Comment(Base):
    """A remark on an instance (optionally written on one of its tasks), seen by whoever may
    see the instance."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


# Process owner tools: drafts of models being edited (migration 0006).


class ProcessDraft(Base):
    """The model set a process owner is editing, one per process; `revision` rises on every
    save so that a save based on an older revision is refused instead of overwriting."""

    __tablename__ = "process_drafts"

    process_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision: Mapped[int]
    files: Mapped[dict[str, Any]]
    base_version: Mapped[int | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


# Outbox and scheduler leadership: distributed mode (migration 0003).


class OutboxEffect(Base):
    """An outside effect (mail, webhook) recorded in the transaction that caused it, delivered
    after that transaction commits and retried with backoff until delivered or failed."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_available", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SchedulerLeader(Base):
    """Which scheduler process holds the leader lock and when it last said so (for /healthz)."""

    __tablename__ = "scheduler_leader"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class PublicSubmission(Base):
    """A well-formed objection submitted through the public form (the public may not sign
    in), kept one day so the rate limit can count them per client and per announcement.
    `client_key` is a keyed hash of the client's address, never the address itself."""

    __tablename__ = "public_submissions"
    __table_args__ = (Index("ix_public_submissions_client", "client_key", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64))
    announcement_id: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(index=True)
