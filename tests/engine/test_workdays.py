"""Working-day arithmetic against the 2026 State Council schedule (DOMAIN.md)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.calendar_seed import package_calendar
from engine.workdays import CalendarFunctions, WorkingCalendar

HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03"),
    "春节": ("2026-02-15", "2026-02-23"),
    "清明": ("2026-04-04", "2026-04-06"),
    "劳动节": ("2026-05-01", "2026-05-05"),
    "端午": ("2026-06-19", "2026-06-21"),
    "中秋": ("2026-09-25", "2026-09-27"),
    "国庆": ("2026-10-01", "2026-10-07"),
}
ADJUSTED_WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return package_calendar()


@pytest.mark.parametrize("name", sorted(HOLIDAYS_2026))
def test_every_2026_holiday_is_off(calendar: WorkingCalendar, name: str) -> None:
    first, last = (date.fromisoformat(d) for d in HOLIDAYS_2026[name])
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    assert not any(calendar.is_working_day(day) for day in days)
    assert calendar.is_working_day(date.fromordinal(first.toordinal() - 1)) or first.weekday() in (0, 5, 6)


@pytest.mark.parametrize("day", ADJUSTED_WORKDAYS_2026)
def test_every_2026_adjusted_weekend_works(calendar: WorkingCalendar, day: str) -> None:
    assert date.fromisoformat(day).weekday() >= 5
    assert calendar.is_working_day(date.fromisoformat(day))


def test_2026_has_248_working_days(calendar: WorkingCalendar) -> None:
    assert calendar.between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_announcement_from_thursday_12_february_ends_wednesday_25_february(calendar: WorkingCalendar) -> None:
    functions = CalendarFunctions(calendar)
    assert functions.working_period_end("2026-02-12T10:00:00+08:00", 5) == "2026-02-26T00:00:00+08:00"
    assert calendar.nth_working_day_from(date(2026, 2, 12), 5) == date(2026, 2, 25)


def test_a_period_starting_on_a_holiday_starts_on_the_next_working_day(calendar: WorkingCalendar) -> None:
    assert calendar.nth_working_day_from(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert calendar.nth_working_day_from(date(2026, 10, 1), 3) == date(2026, 10, 10)


def test_functions_return_aware_iso_strings(calendar: WorkingCalendar) -> None:
    functions = CalendarFunctions(calendar)
    assert functions.add_working_days("2026-09-30T15:30:00+08:00", 1) == "2026-10-08T15:30:00+08:00"
    assert functions.due_after_working_days("2026-02-13T09:00:00+08:00", 1) == "2026-02-15T00:00:00+08:00"
    assert functions.end_of_working_day("2026-02-15") == "2026-02-25T00:00:00+08:00"
    assert functions.working_days_between("2026-02-12", "2026-02-25") == 4
    assert functions.working_days_between("2026-02-25", "2026-02-12") == -4
    assert functions.is_working_day("2026-02-14T08:00:00+08:00") is True
    with pytest.raises(ValueError, match="time zone"):
        functions.add_working_days("2026-02-12T10:00:00", 1)


def test_a_year_without_schedule_counts_weekends_only_and_is_provisional(calendar: WorkingCalendar) -> None:
    assert not calendar.is_published(2027)
    assert calendar.provisional(date(2026, 12, 28), date(2027, 1, 8))
    assert not calendar.provisional(date(2026, 3, 2), date(2026, 3, 20))
    assert calendar.is_working_day(date(2027, 1, 1))
    assert calendar.shift(date(2026, 12, 31), 2) == date(2027, 1, 4)
