"""The working-day calendar as stored: seeding, entering a year, and what that changes.

When a year's schedule is entered, every live deadline and timer that was computed from
weekends only for that year is recomputed, and each change is audited (old → new).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .calendar_seed import SOURCE, package_days, package_years
from .clock import Clock
from .errors import InvalidData
from .i18n import N_
from .models import CalendarDay, CalendarYear, Instance, TaskIndexRow
from .workdays import WorkingCalendar

KINDS = ("holiday", "workday")
CACHE_SECONDS = 60.0


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar as stored, read in the caller's transaction."""
    days = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar(
        holidays=frozenset(date.fromisoformat(d) for d, kind in days if kind == "holiday"),
        workdays=frozenset(date.fromisoformat(d) for d, kind in days if kind == "workday"),
        published_years=frozenset(session.scalars(select(CalendarYear.year))),
    )


class CalendarService:
    """Read the calendar (cached briefly) and change it."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._cached: WorkingCalendar | None = None
        self._loaded_at = 0.0

    def current(self) -> WorkingCalendar:
        """The calendar as stored; reloaded at most every minute, and at once after a change here."""
        if self._cached is None or time.monotonic() - self._loaded_at > CACHE_SECONDS:
            self._cached = self._load()
            self._loaded_at = time.monotonic()
        return self._cached

    def _load(self) -> WorkingCalendar:
        with self._sessions() as session:
            return load_calendar(session)

    def seed(self) -> int:
        """Store every year the maintained package knows that is not stored yet; return how many."""
        with self._sessions.begin() as session:
            known = set(session.scalars(select(CalendarYear.year)))
            missing = sorted(package_years() - known)
            for day, kind, name in package_days():
                if day.year in missing:
                    session.add(CalendarDay(day=day.isoformat(), year=day.year, kind=kind, name=name))
            for year in missing:
                session.add(CalendarYear(year=year, source=SOURCE, entered_at=self._clock.now(), entered_by="setup"))
        self._cached = None
        return len(missing)

    def year(self, year: int) -> tuple[CalendarYear | None, list[CalendarDay]]:
        with self._sessions() as session:
            entry = session.get(CalendarYear, year)
            days = session.scalars(select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)).all()
            return entry, list(days)

    def enter_year(self, year: int, days: Iterable[tuple[str, str, str]], actor: Actor, source: str) -> None:
        """Replace `year`'s holidays and adjusted working days with `days` (day, kind, name)."""
        rows = list(days)
        problems = _year_problems(year, rows)
        if problems:
            raise InvalidData(problems)
        with self._sessions.begin() as session:
            session.execute(delete(CalendarDay).where(CalendarDay.year == year))
            session.add_all(CalendarDay(day=d, year=year, kind=k, name=n) for d, k, n in rows)
            entry = session.get(CalendarYear, year) or CalendarYear(year=year)
            entry.source, entry.entered_at, entry.entered_by = source, self._clock.now(), actor.username
            session.add(entry)
        self._cached = None

    def instances_with_provisional_deadlines(self) -> list[int]:
        with self._sessions() as session:
            task_instances = select(TaskIndexRow.instance_id).where(TaskIndexRow.due_provisional.is_(True))
            rows = session.scalars(
                select(Instance.id).where(
                    Instance.status == "running",
                    or_(Instance.id.in_(task_instances), Instance.provisional_timers.is_not(None)),
                )
            )
            return sorted(set(rows))


def _year_problems(year: int, rows: list[tuple[str, str, str]]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not 2000 <= year <= 2100:
        problems["year"] = N_("年份应在 2000–2100 之间")
    seen: set[str] = set()
    for index, (day, kind, _name) in enumerate(rows):
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            problems[f"days.{index}.day"] = N_("日期 %(day)s 格式应为 YYYY-MM-DD", day=repr(day))
            continue
        if parsed.year != year:
            problems[f"days.{index}.day"] = N_("%(day)s 不属于 %(year)s 年", day=day, year=year)
        if kind not in KINDS:
            problems[f"days.{index}.kind"] = N_("类型应为 holiday（放假）或 workday（调休上班）")
        if day in seen:
            problems[f"days.{index}.day"] = N_("%(day)s 重复", day=day)
        seen.add(day)
    if not rows:
        problems["days"] = N_("至少需要一天放假安排")
    return problems
