"""The timer sweep: find instances whose earliest timer is due and advance each one.

Each instance advances in its own transaction through the runtime, so a timer fires exactly
once: a second sweeper that loads the same instance loses the optimistic-lock race.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import SYSTEM
from .clock import Clock
from .models import Instance
from .runtime import RuntimeService


class TimerService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService, clock: Clock) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._clock = clock

    def due(self, limit: int = 100) -> list[int]:
        """Ids of running instances with a timer past due, earliest first (uses the index).
        Strictly past: SpiffWorkflow fires a timer only once its time is behind "now"."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(Instance.id)
                    .where(Instance.next_timer_at < self._clock.now(), Instance.status == "running")
                    .order_by(Instance.next_timer_at)
                    .limit(limit)
                )
            )

    def sweep(self, limit: int = 100) -> int:
        """Advance every due instance; return how many advanced (lost races are skipped)."""
        return sum(self._runtime.advance_if_due(instance_id, SYSTEM) for instance_id in self.due(limit))
