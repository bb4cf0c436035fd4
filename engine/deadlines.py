"""Deadlines that follow the working-day calendar, and what happens when it changes."""

from __future__ import annotations

from collections.abc import Iterable

from .access import Actor
from .calendar import CalendarService
from .errors import Conflict
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
