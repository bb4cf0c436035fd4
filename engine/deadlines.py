"""Deadlines that follow the working-day calendar, and what happens when it changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from . import history
from .access import SYSTEM, Actor
from .calendar import CalendarService
from .clock import SHANGHAI, Clock
from .errors import Conflict
from .i18n import N_, label
from .models import Escalation, Instance, TaskIndexRow
from .notifications import notify
from .roles import DISTRICT_ROLES
from .runtime import RuntimeService


class DeadlineService:
    def __init__(self, calendar: CalendarService, runtime: RuntimeService) -> None:
        self._calendar = calendar
        self._runtime = runtime

    def enter_year(self, year: int, days: Iterable[tuple[str, str, str]], actor: Actor, source: str) -> list[int]:
        """Store a year's schedule, then recompute every live provisional deadline and timer;
        return the instances whose deadlines were recomputed (each change is audited)."""
        self._calendar.enter_year(year, days, actor, source)
        recomputed = []
        for instance_id in self._calendar.instances_with_provisional_deadlines():
            try:
                with self._runtime.unit(instance_id, actor) as unit:
                    unit.recompute_deadlines()
            except Conflict:
                continue  # changed meanwhile; that change recomputed nothing, so try it once more
            recomputed.append(instance_id)
        return recomputed


# Who supervises a role when its task is overdue (a model's `escalateTo` property overrides).
SUPERVISOR_OF = {
    "district_bureau": "city_bureau",
    "district_finance": "city_bureau",
    "provider": "district_bureau",
    "enterprise": "district_bureau",
    "expert": "city_bureau",
    "supervisor": "city_bureau",
}


def reminder_time(due_at: datetime) -> datetime:
    """00:00 of the last day before the deadline (a deadline is 24:00 of a working day):
    the reminder comes one working day before it."""
    last_day = (due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
    return datetime.combine(last_day, time(0), SHANGHAI)


class ReminderService:
    """Remind before a deadline and escalate after it; each at most once per task."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, runtime: RuntimeService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._runtime = runtime

    def run(self) -> tuple[int, int]:
        """Send due reminders and open escalations for overdue tasks; return both counts."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            reminded = sum(self._remind(session, row, now) for row in self._candidates(session, now))
            overdue = sum(self._escalate(session, row, now) for row in self._overdue(session, now))
        return reminded, overdue

    @staticmethod
    def _candidates(session: Session, now: datetime) -> list[TaskIndexRow]:
        horizon = now + timedelta(days=2)
        return list(session.scalars(select(TaskIndexRow).where(
            TaskIndexRow.due_at.is_not(None), TaskIndexRow.due_at <= horizon, TaskIndexRow.reminded_at.is_(None))))

    @staticmethod
    def _overdue(session: Session, now: datetime) -> list[TaskIndexRow]:
        return list(session.scalars(select(TaskIndexRow).where(
            TaskIndexRow.due_at < now, TaskIndexRow.overdue_at.is_(None))))

    def _claim(self, session: Session, row: TaskIndexRow, column: str, now: datetime) -> bool:
        """Mark the row; False when another sweeper marked it first."""
        claimed = session.execute(
            update(TaskIndexRow)
            .where(TaskIndexRow.task_uuid == row.task_uuid, getattr(TaskIndexRow, column).is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1

    def _remind(self, session: Session, row: TaskIndexRow, now: datetime) -> bool:
        if now < reminder_time(row.due_at) or not self._claim(session, row, "reminded_at", now):
            return False
        due = row.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        notify(session, self._clock, "reminder", N_("「%(task)s」将于 %(due)s 到期", task=label(row.name), due=due),
               user_id=row.assignee_id,
               role=row.role, district=row.district, organisation_id=row.organisation_id,
               instance_id=row.instance_id, link=f"/tasks/{row.task_uuid}")
        history.record(session, self._clock, SYSTEM, "task_reminded", row.instance_id, row.task_uuid, row.bpmn_id,
                       due_at=due)
        return True

    def _escalate(self, session: Session, row: TaskIndexRow, now: datetime) -> bool:
        if not self._claim(session, row, "overdue_at", now):
            return False
        target = self._target(session, row)
        due = row.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        history.record(session, self._clock, SYSTEM, "task_overdue", row.instance_id, row.task_uuid, row.bpmn_id,
                       due_at=due, escalated_to=target)
        if target is None:
            return True
        district = row.district if target in DISTRICT_ROLES else None
        session.add(Escalation(task_uuid=row.task_uuid, instance_id=row.instance_id, task_name=row.name,
                               task_role=row.role, target_role=target, district=district, due_at=row.due_at,
                               opened_at=now))
        notify(session, self._clock, "escalation",
               N_("督办：「%(task)s」已于 %(due)s 超期未办", task=label(row.name), due=due), role=target,
               district=district, instance_id=row.instance_id, link=f"/instances/{row.instance_id}")
        return True

    def _target(self, session: Session, row: TaskIndexRow) -> str | None:
        version_id = session.scalar(select(Instance.process_version_id).where(Instance.id == row.instance_id))
        info = self._runtime.repository.get(version_id).user_tasks.get(row.bpmn_id)
        declared = info.properties.get("escalateTo") if info else None
        return declared or SUPERVISOR_OF.get(row.role)

    def escalations_for(self, actor: Actor) -> list[dict[str, object]]:
        """Open escalations the actor's role supervises, in its scope."""
        query = select(Escalation).where(Escalation.target_role == actor.role, Escalation.resolved_at.is_(None))
        if actor.role in DISTRICT_ROLES:
            query = query.where(Escalation.district == actor.district)
        with self._sessions() as session:
            return [
                {"task_id": e.task_uuid, "instance_id": e.instance_id, "task_name": e.task_name,
                 "task_role": e.task_role, "due_at": e.due_at, "opened_at": e.opened_at}
                for e in session.scalars(query.order_by(Escalation.due_at))
            ]
