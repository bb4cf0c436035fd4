"""The outbox: outside effects (mail, webhooks, files) recorded in the engine's transaction
and delivered after it commits.

An effect queued by a change that rolls back is never sent; one queued by a change that
commits is delivered: in-process right after the commit (embedded mode), or by a Celery
worker (distributed mode: `webui/celery_app.py` replaces `OutboxService.dispatch`). A failed
delivery is retried with exponential backoff; after the last attempt the row is `failed` and
the city bureau gets an incident notification. Delivery holds the row locked (PostgreSQL) and
marks it delivered in the same transaction, so two workers never deliver one row and a
delivered row is never delivered again; a worker that dies mid-delivery leaves the row pending
and it is delivered again, so an effect must be safe to run again until it has finished.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from . import history
from .access import SYSTEM
from .clock import Clock
from .i18n import N_
from .models import OutboxEffect
from .notifications import notify

if TYPE_CHECKING:
    from .services import ProcessEngine

log = logging.getLogger(__name__)

Effect = Callable[[dict[str, Any], "ProcessEngine"], None]
EFFECTS: dict[str, Effect] = {}
_QUEUED = "diagflow_outbox"  # session.info key: rows this transaction added


def effect(kind: str) -> Callable[[Effect], Effect]:
    """Register `f(payload, engine)` as the delivery of effects of `kind`."""

    def register(function: Effect) -> Effect:
        if kind in EFFECTS:
            raise ValueError(f"effect {kind!r} is registered twice")
        EFFECTS[kind] = function
        return function

    return register


def enqueue(session: Session, clock: Clock, kind: str, payload: dict[str, Any], instance_id: int | None = None) -> None:
    """Add an effect to the session's open transaction; it is dispatched only if that commits."""
    now = clock.now()
    row = OutboxEffect(kind=kind, payload=dict(payload), instance_id=instance_id, status="pending", attempts=0,
                       created_at=now, available_at=now)
    session.add(row)
    session.info.setdefault(_QUEUED, []).append(row)


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already delivered or failed, being delivered elsewhere, or rolled back


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_in: float = 0.0


class OutboxService:
    """Deliver queued effects; `dispatch(row_id)` says how (in-process unless replaced)."""

    def __init__(self, engine: ProcessEngine, max_attempts: int = 5, backoff_seconds: float = 10.0) -> None:
        self._engine = engine
        self._sessions: sessionmaker[Session] = engine.sessions
        self._clock: Clock = engine.clock
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.dispatch: Callable[[int], object] = self.deliver_now
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", self._after_rollback)

    def _after_commit(self, session: Session) -> None:
        for row in session.info.pop(_QUEUED, []):
            self.dispatch(row.id)

    @staticmethod
    def _after_rollback(session: Session) -> None:
        session.info.pop(_QUEUED, None)

    def deliver_now(self, row_id: int) -> None:
        """Embedded mode: deliver at once; a failure waits for `sweep` after its backoff."""
        self.deliver(row_id)

    def deliver(self, row_id: int) -> Result:
        """Run the effect of one pending row and record the outcome, holding the row locked."""
        with self._sessions.begin() as session:
            row = session.get(OutboxEffect, row_id, with_for_update={"skip_locked": True})
            if row is None or row.status != "pending":
                return Result(Outcome.SKIPPED)
            try:
                function = EFFECTS.get(row.kind)
                if function is None:
                    raise LookupError(f"no effect is registered for {row.kind!r}")
                function(dict(row.payload), self._engine)
            except Exception as exc:  # noqa: BLE001 - any failure of an outside effect is recorded and retried
                return self._failed(session, row, exc)
            row.attempts += 1
            row.status = "delivered"
            row.finished_at = self._clock.now()
            return Result(Outcome.DELIVERED)

    def _failed(self, session: Session, row: OutboxEffect, exc: Exception) -> Result:
        now = self._clock.now()
        row.attempts += 1
        row.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if row.attempts < self.max_attempts:
            delay = self.backoff_seconds * 2 ** (row.attempts - 1)
            row.available_at = now + timedelta(seconds=delay)
            log.warning("effect %s #%d failed (attempt %d of %d), retry in %gs: %s",
                        row.kind, row.id, row.attempts, self.max_attempts, delay, row.last_error)
            return Result(Outcome.RETRY, delay)
        row.status = "failed"
        row.finished_at = now
        log.error("effect %s #%d failed for good after %d attempts: %s", row.kind, row.id, row.attempts, row.last_error)
        history.record(session, self._clock, SYSTEM, "effect_failed", row.instance_id, kind=row.kind,
                       outbox_id=row.id, attempts=row.attempts, error=row.last_error)
        title = N_("外部操作「%(kind)s」重试 %(attempts)s 次仍失败：%(error)s",
                   kind=row.kind, attempts=row.attempts, error=row.last_error)
        notify(session, self._clock, "incident", title, role="city_bureau", instance_id=row.instance_id,
               link=f"/instances/{row.instance_id}" if row.instance_id is not None else None)
        return Result(Outcome.FAILED)

    def due(self, older_than: float = 0.0, limit: int = 500) -> list[int]:
        """Pending rows whose next attempt was due more than `older_than` seconds ago (their
        first dispatch was lost, or their retry is due), oldest first."""
        cutoff = self._clock.now() - timedelta(seconds=older_than)
        with self._sessions() as session:
            return list(session.scalars(
                select(OutboxEffect.id)
                .where(OutboxEffect.status == "pending", OutboxEffect.available_at <= cutoff)
                .order_by(OutboxEffect.available_at)
                .limit(limit)
            ))

    def sweep(self, limit: int = 500) -> int:
        """Embedded mode: deliver every pending row that is due; return how many were delivered."""
        return sum(self.deliver(row_id).outcome is Outcome.DELIVERED for row_id in self.due(limit=limit))

    def counts(self) -> dict[str, int]:
        """Rows per status (pending, delivered, failed), for /healthz and monitoring."""
        with self._sessions() as session:
            rows = session.execute(select(OutboxEffect.status, func.count()).group_by(OutboxEffect.status)).all()
        return {status: count for status, count in rows}

    def oldest_pending(self) -> datetime | None:
        with self._sessions() as session:
            return session.scalar(select(func.min(OutboxEffect.created_at)).where(OutboxEffect.status == "pending"))
