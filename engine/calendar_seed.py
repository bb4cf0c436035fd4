"""The holidays the maintained package `chinesecalendar` knows (2004 to its last year).

Used once at set-up to seed the calendar tables; afterwards the database is the source and
process owners enter new years (the package raises for years it does not know).
"""

from __future__ import annotations

from datetime import date

from chinese_calendar import constants

from .workdays import WorkingCalendar

SOURCE = "chinesecalendar"

# The package's English holiday names, in Chinese for the calendar page.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days() -> list[tuple[date, str, str]]:
    """(day, "holiday" | "workday", Chinese name) for every day the package lists."""
    rows = [(day, "holiday", NAMES.get(name, name)) for day, name in constants.holidays.items()]
    rows += [(day, "workday", NAMES.get(name, name)) for day, name in constants.workdays.items()]
    return sorted(rows)


def package_years() -> frozenset[int]:
    return frozenset(day.year for day in constants.holidays)


def package_calendar() -> WorkingCalendar:
    rows = package_days()
    return WorkingCalendar(
        holidays=frozenset(day for day, kind, _ in rows if kind == "holiday"),
        workdays=frozenset(day for day, kind, _ in rows if kind == "workday"),
        published_years=package_years(),
    )
