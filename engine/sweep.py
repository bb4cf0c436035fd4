"""The timer sweep: find instances whose earliest timer is due and advance each one.

Each instance advances in its own transaction through the runtime, so a timer fires exactly
once: a second sweeper that loads the same instance loses the optimistic-lock race.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .access import SYSTEM
from .clock import Clock
from .metrics import SWEEP_SECONDS
from .models import Instance
from .runtime import RuntimeService


class TimerService:
    def __init__(self, sessions: sessionmaker[Session], runtime: RuntimeService, clock: Clock) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._clock = clock

    def due(self, limit: int = 100, skip: Collection[int] = ()) -> list[int]:
        """Ids of running instances with a timer past due, earliest first (uses the index).
        Strictly past: SpiffWorkflow fires a timer only once its time is behind "now".
        On PostgreSQL instances being changed right now are left out (SKIP LOCKED), and so are
        those in `skip` (the distributed scheduler's recently dispatched ones)."""
        query = select(Instance.id).where(Instance.next_timer_at < self._clock.now(), Instance.status == "running")
        if skip:
            query = query.where(Instance.id.not_in(list(skip)))
        with self._sessions() as session:
            return list(
                session.scalars(query.order_by(Instance.next_timer_at).limit(limit)
                                .with_for_update(skip_locked=True, key_share=True))
            )

    def advance(self, instance_id: int) -> bool:
        """Fire one instance's due timers in a locked transaction of its own; False when they
        already fired, nothing is due, or another worker holds it (safe to call twice)."""
        return self._runtime.advance_if_due(instance_id, SYSTEM)

    def sweep(self, limit: int = 100) -> int:
        """Advance every due instance; return how many advanced (lost races are skipped).
        Its duration is observed for /metrics."""
        with SWEEP_SECONDS.time():
            return sum(self.advance(instance_id) for instance_id in self.due(limit))
