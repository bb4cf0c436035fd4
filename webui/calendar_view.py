"""A year of the working-day calendar as month grids, for the page and the CLI."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from engine.i18n import N_
from engine.workdays import WorkingCalendar

# Translated where the page shows them (webui/admin.py); the CLI prints them as they are.
MONTH_NAMES = [N_("1月"), N_("2月"), N_("3月"), N_("4月"), N_("5月"), N_("6月"), N_("7月"), N_("8月"), N_("9月"),
               N_("10月"), N_("11月"), N_("12月")]
WEEKDAYS = [N_("一"), N_("二"), N_("三"), N_("四"), N_("五"), N_("六"), N_("日")]


@dataclass(frozen=True)
class Cell:
    day: date | None
    working: bool = False
    mark: str = ""
    name: str = ""


def month_grid(year: int, month: int, calendar: WorkingCalendar, names: dict[str, str]) -> list[list[Cell]]:
    """Weeks (Monday first) of cells; `mark` is 休 for a holiday, 班 for an adjusted working day."""
    weeks = []
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append(Cell(None))
                continue
            mark = N_("休") if day in calendar.holidays else N_("班") if day in calendar.workdays else ""
            cells.append(Cell(day, calendar.is_working_day(day), mark, names.get(day.isoformat(), "")))
        weeks.append(cells)
    return weeks


def text_year(year: int, calendar: WorkingCalendar, names: dict[str, str]) -> str:
    """The year as plain text: one grid per month, holidays [休], adjusted working days [班]."""
    lines = []
    for month in range(1, 13):
        lines.append(f"{year}年{MONTH_NAMES[month - 1]}")
        lines.append(" ".join(f"{w} " for w in WEEKDAYS))
        for week in month_grid(year, month, calendar, names):
            lines.append(" ".join(_cell_text(cell) for cell in week))
        lines.append("")
    return "\n".join(lines)


def _cell_text(cell: Cell) -> str:
    if cell.day is None:
        return "   "
    return f"{cell.day.day:>2}{cell.mark or ' '}" if cell.mark else f"{cell.day.day:>2} "
