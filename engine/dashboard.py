"""Dashboards: counts for everyone's home page, and the city bureau's view of the programme.

Everything here reads the task index, the task history and the plan records with grouped
SQL queries; no workflow is loaded.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .calendar import CalendarService
from .clock import SHANGHAI, Clock
from .errors import Forbidden
from .i18n import N_
from .models import TaskHistoryRow, TaskIndexRow
from .records.plans import ITEM_PAID, ITEM_PLANNED, Payment, PlanItem, SubsidyPlan
from .repository import RepositoryService
from .task_index import InboxQuery
from .tasks import TaskService

CITY_LEVEL = N_("未分区县")
HISTORY_WINDOW = timedelta(days=365)


class DashboardService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        tasks: TaskService,
        calendar: CalendarService,
        repository: RepositoryService,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tasks = tasks
        self._calendar = calendar
        self._repository = repository

    def my_counts(self, actor: Actor) -> dict[str, str]:
        """What the home page shows anyone: my open tasks, claimed by me, due soon, overdue
        (each counted up to 1,000, then "1000+")."""
        queries = {
            "open": InboxQuery(),
            "mine": InboxQuery(claim="mine"),
            "unassigned": InboxQuery(claim="unassigned"),
            "due_soon": InboxQuery(due="soon"),
            "overdue": InboxQuery(due="overdue"),
        }
        return {key: self._tasks.count_shown(actor, query) for key, query in queries.items()}

    def city(self, actor: Actor) -> dict[str, Any]:
        """The city bureau's programme view: where work waits, the year's budget, stage durations."""
        if actor.role != "city_bureau":
            raise Forbidden(N_("仅市工业和信息化局可查看全市统计"))
        with self._sessions() as session:
            return {
                "pipeline": self._pipeline(session),
                "budget": self._budget(session, self._clock.local_now().year),
                "stage_days": self._stage_days(session),
            }

    def _process_names(self) -> dict[str, str]:
        ids = dict.fromkeys(v["process_id"] for v in self._repository.list_versions())
        return {process_id: self._repository.latest(process_id).name or process_id for process_id in ids}

    def _pipeline(self, session: Session) -> dict[str, Any]:
        """Open tasks by stage (process · task) and district: rows for a stacked bar chart."""
        names = self._process_names()
        counts = session.execute(
            select(TaskIndexRow.process_id, TaskIndexRow.name, TaskIndexRow.district, func.count())
            .group_by(TaskIndexRow.process_id, TaskIndexRow.name, TaskIndexRow.district)
        ).all()
        stages = sorted({f"{names.get(p, p)} · {n}" for p, n, _, _ in counts})
        districts = sorted({d or CITY_LEVEL for _, _, d, _ in counts})
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for process_id, name, district, count in counts:
            cells[(f"{names.get(process_id, process_id)} · {name}", district or CITY_LEVEL)] += count
        series = [{"district": d, "counts": [cells[(s, d)] for s in stages]} for d in districts]
        return {"stages": stages, "series": series, "total": sum(c for *_, c in counts)}

    @staticmethod
    def _budget(session: Session, year: int) -> dict[str, int]:
        """The year's budget in fen, what its plans give (planned or paid items) and what was paid."""
        budget = session.scalar(select(func.coalesce(func.sum(SubsidyPlan.budget_fen), 0))
                                .where(SubsidyPlan.year == year))
        planned = session.scalar(
            select(func.coalesce(func.sum(PlanItem.amount_fen), 0))
            .join(SubsidyPlan, SubsidyPlan.id == PlanItem.plan_id)
            .where(SubsidyPlan.year == year, PlanItem.status.in_((ITEM_PLANNED, ITEM_PAID)))
        )
        paid = session.scalar(
            select(func.coalesce(func.sum(Payment.amount_fen), 0))
            .join(SubsidyPlan, SubsidyPlan.id == Payment.plan_id)
            .where(SubsidyPlan.year == year)
        )
        return {"year": year, "budget_fen": int(budget or 0), "planned_fen": int(planned or 0),
                "paid_fen": int(paid or 0)}

    def _stage_days(self, session: Session) -> list[dict[str, Any]]:
        """Average working days from a task's arrival to its completion, per stage, over the
        tasks finished in the last year (Asia/Shanghai dates, the published calendar)."""
        since = self._clock.now() - HISTORY_WINDOW
        rows = session.execute(
            select(TaskHistoryRow.process_id, TaskHistoryRow.name, TaskHistoryRow.created_at,
                   TaskHistoryRow.finished_at).where(TaskHistoryRow.finished_at >= since)
        ).all()
        calendar = self._calendar.current()
        names = self._process_names()
        spans: dict[str, list[int]] = defaultdict(list)
        for process_id, name, created, finished in rows:
            days = calendar.between(created.astimezone(SHANGHAI).date(), finished.astimezone(SHANGHAI).date())
            spans[f"{names.get(process_id, process_id)} · {name}"].append(days)
        return [
            {"stage": stage, "tasks": len(days), "average_days": round(sum(days) / len(days), 1)}
            for stage, days in sorted(spans.items())
        ]
