"""Chinese working days: pure arithmetic over a set of holidays and adjusted working days.

A day is a working day when it is Monday–Friday and not a statutory holiday, or when it is
a weekend day the State Council made a working day (调休). For a year whose schedule has not
been published only weekends count, and every result touching that year is provisional.
All business dates are read in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .clock import SHANGHAI

Moment = str | date | datetime


def to_local(value: Moment) -> datetime:
    """An aware datetime in Asia/Shanghai from an ISO string, a date or a datetime.

    Naive values are refused: a deadline read in the server's zone is wrong in another.
    A bare date means the start of that day in Asia/Shanghai.
    """
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; give an aware time")
        return value.astimezone(SHANGHAI)
    return datetime.combine(value, time(0), SHANGHAI)


@dataclass(frozen=True)
class WorkingCalendar:
    """Holidays and adjusted working days for the years whose schedules are known."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    published_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def is_published(self, year: int) -> bool:
        return year in self.published_years

    def shift(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 0; n = 0 is `day` itself)."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        while n > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                n -= 1
        return current

    def nth_working_day_from(self, day: date, n: int) -> date:
        """The n-th working day of a period that starts on `day` (n ≥ 1): `day` counts as the
        first when it is a working day — how the guide's 5-working-day announcement is read."""
        if n < 1:
            raise ValueError("a period has at least one working day")
        first = day if self.is_working_day(day) else self.shift(day, 1)
        return self.shift(first, n - 1)

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
        sign, low, high = (1, start, end) if start <= end else (-1, end, start)
        count = sum(1 for i in range(1, (high - low).days + 1) if self.is_working_day(low + timedelta(days=i)))
        return sign * count

    def provisional(self, start: date, end: date) -> bool:
        """Does the span touch a year whose schedule is not published?"""
        low, high = min(start, end), max(start, end)
        return any(not self.is_published(year) for year in range(low.year, high.year + 1))


def end_of_day(day: date) -> datetime:
    """24:00 of `day` in Asia/Shanghai, i.e. 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


class CalendarFunctions:
    """The functions models may call (timer expressions, scripts, conditions).

    Each takes ISO strings, dates or aware datetimes and returns an aware ISO string where a
    timer needs one (SpiffWorkflow's timers silently stall on anything but a string).
    """

    NAMES = (
        "add_working_days", "working_days_between", "is_working_day", "end_of_working_day",
        "working_period_end", "due_after_working_days",
    )

    def __init__(self, calendar: WorkingCalendar | Callable[[], WorkingCalendar]) -> None:
        self._calendar = calendar

    @property
    def calendar(self) -> WorkingCalendar:
        """The calendar now (a callable source is asked each time, so new years apply at once)."""
        return self._calendar if isinstance(self._calendar, WorkingCalendar) else self._calendar()

    def add_working_days(self, start: Moment, n: int) -> str:
        """The same time of day, `n` working days after `start`."""
        moment = to_local(start)
        day = self.calendar.shift(moment.date(), int(n))
        return datetime.combine(day, moment.timetz()).isoformat()

    def working_days_between(self, start: Moment, end: Moment) -> int:
        return self.calendar.between(to_local(start).date(), to_local(end).date())

    def is_working_day(self, moment: Moment) -> bool:
        return self.calendar.is_working_day(to_local(moment).date())

    def end_of_working_day(self, moment: Moment) -> str:
        """24:00 of the given day (or of the next working day if it is not one)."""
        day = to_local(moment).date()
        if not self.calendar.is_working_day(day):
            day = self.calendar.shift(day, 1)
        return end_of_day(day).isoformat()

    def working_period_end(self, start: Moment, n: int) -> str:
        """24:00 of the n-th working day of a period starting at `start` (start day counts
        when it is a working day): the end of a 5-working-day announcement."""
        return end_of_day(self.calendar.nth_working_day_from(to_local(start).date(), int(n))).isoformat()

    def due_after_working_days(self, start: Moment, n: int) -> str:
        """24:00 of the n-th working day after the day of `start` (that day not counted):
        when a task that arrived at `start` with n working days to do it is due."""
        return end_of_day(self.calendar.shift(to_local(start).date(), int(n))).isoformat()

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.NAMES}
