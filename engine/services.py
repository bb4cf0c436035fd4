"""The process engine: one object holding every engine service, built from configuration.

Like Camunda's ProcessEngine, a reader who knows this list knows the system; the web layer,
the CLI and workers call these services and nothing below them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine as SqlEngine

from . import mail, records, schema  # noqa: F401 - records registers the business-record tables, mail its effect
from .attachments import AttachmentService
from .calendar import CalendarService
from .clock import Clock
from .comments import CommentService
from .dashboard import DashboardService
from .db import make_engine, make_session_factory
from .deadlines import DeadlineService, ReminderService
from .drafts import DraftService
from .exports import ExportService
from .history import HistoryService
from .identity import IdentityService
from .instances import InstanceService
from .messages import MessageService
from .models import Base
from .notifications import NotificationService
from .operators import OperatorRegistry, StartRules
from .outbox import OutboxService
from .process_owner import ProcessOwnerTools
from .public import PublicService
from .repository import RepositoryService
from .runtime import RuntimeService
from .saved_filters import SavedFilterService
from .sweep import TimerService
from .tasks import TaskService


class ProcessEngine:
    def __init__(
        self,
        database_url: str,
        operators: OperatorRegistry,
        clock: Clock | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        start_rules: StartRules | None = None,
    ) -> None:
        self.clock = clock or Clock()
        self.db: SqlEngine = make_engine(database_url)
        self.sessions = make_session_factory(self.db)
        self.repository = RepositoryService(self.sessions, self.clock, operators)
        self.calendar = CalendarService(self.sessions, self.clock)
        self.runtime = RuntimeService(
            self.sessions, self.clock, self.repository, operators, self.calendar, functions, start_rules
        )
        self.tasks = TaskService(self.sessions, self.runtime)
        self.history = HistoryService(self.sessions)
        self.identity = IdentityService(self.sessions, self.clock)
        self.instances = InstanceService(self.sessions, self.runtime, self.history)
        self.timers = TimerService(self.sessions, self.runtime, self.clock)
        self.deadlines = DeadlineService(self.calendar, self.runtime)
        self.reminders = ReminderService(self.sessions, self.clock, self.runtime)
        self.notifications = NotificationService(self.sessions, self.clock)
        self.messages = MessageService(self.sessions, self.runtime)
        self.attachments = AttachmentService(self.sessions, self.clock, self.instances)
        self.comments = CommentService(self.sessions, self.clock, self.instances)
        self.exports = ExportService(self.sessions, self.clock, self.instances)
        self.drafts = DraftService(self.sessions, self.clock, self.tasks)
        self.saved_filters = SavedFilterService(self.sessions, self.clock, self.tasks)
        self.dashboard = DashboardService(self.sessions, self.clock, self.tasks, self.calendar, self.repository)
        self.public = PublicService(self.sessions, self.clock, self.calendar)
        self.owner = ProcessOwnerTools(self)
        self.outbox = OutboxService(self)

    def create_schema(self) -> None:
        """Create missing tables straight from the models (tests; `upgrade_schema` for a product)."""
        Base.metadata.create_all(self.db)

    def upgrade_schema(self) -> None:
        """Bring the database to the newest migration (idempotent); see engine/migrations."""
        schema.upgrade(self.db)

    def dispose(self) -> None:
        self.db.dispose()
