"""Schedulers. Embedded mode: APScheduler inside the web process sweeps timers, reminders and
the outbox itself. Distributed mode (`diagflow scheduler`): APScheduler in a process of its own
that works only while it holds the leader lock, and hands each due instance and each stuck
outbox row to the Celery workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import DBAPIError

from engine.leader import LeaderLock
from engine.services import ProcessEngine

from .celery_app import TaskQueue, queue_of

log = logging.getLogger(__name__)

TIMER_BATCH = 500
BATCHES_PER_SWEEP = 20
# Embedded mode: due timers are fired EMBEDDED_BATCH at a time, batch after batch while a batch
# comes back full, for at most EMBEDDED_DRAIN_SECONDS per run; the rest waits for the next run.
EMBEDDED_BATCH = 100
EMBEDDED_DRAIN_SECONDS = 5.0


def drain_timers(engine: ProcessEngine, batch: int = EMBEDDED_BATCH,
                 budget_seconds: float = EMBEDDED_DRAIN_SECONDS) -> int:
    """Fire due timers until a batch is not full (the backlog is gone) or the time budget is
    spent, so 1,000 timers due together fire at the engine's speed, not one batch per run."""
    deadline = time.monotonic() + budget_seconds
    advanced = 0
    while True:
        fired = engine.timers.sweep(limit=batch)
        advanced += fired
        if fired < batch or time.monotonic() >= deadline:
            return advanced


def embedded_sweep(engine: ProcessEngine, batch: int = EMBEDDED_BATCH,
                   budget_seconds: float = EMBEDDED_DRAIN_SECONDS) -> None:
    """One run of the embedded scheduler: due timers (drained), reminders, the outbox."""
    advanced = drain_timers(engine, batch, budget_seconds)
    reminded, overdue = engine.reminders.run()
    delivered = engine.outbox.sweep()
    if advanced or reminded or overdue or delivered:
        log.info("sweep: %d instance(s) advanced, %d reminder(s), %d escalation(s), %d effect(s) delivered",
                 advanced, reminded, overdue, delivered)


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler:
    """Sweep due timers, reminders and the outbox every DIAGFLOW_TIMER_SWEEP_SECONDS; one sweep
    at start-up catches up on what fell due while the server was down."""
    engine = app.extensions["diagflow"]
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        embedded_sweep,
        "interval",
        args=[engine],
        seconds=app.config["DIAGFLOW_TIMER_SWEEP_SECONDS"],
        id="timer-sweep",
        max_instances=1,
        coalesce=True,
        next_run_time=engine.clock.now(),
    )
    scheduler.start()
    app.extensions["diagflow_scheduler"] = scheduler
    return scheduler


class Dispatched:
    """Ids handed to workers recently. They are not handed out again until `window` seconds
    have passed; after that, anything still due is sent again (its message was lost, say Redis
    restarted empty) — a duplicate is harmless, the tasks are idempotent."""

    def __init__(self, window: float) -> None:
        self._window = window
        self._at: dict[int, float] = {}

    def recent(self) -> set[int]:
        now = time.monotonic()
        self._at = {key: at for key, at in self._at.items() if now - at < self._window}
        return set(self._at)

    def mark(self, key: int) -> None:
        self._at[key] = time.monotonic()


class LeaderScheduler:
    """The distributed scheduler's jobs; each does nothing unless this process leads."""

    def __init__(self, engine: ProcessEngine, queue: TaskQueue, redispatch_seconds: float) -> None:
        self.engine = engine
        self.queue = queue
        self.lock = LeaderLock(engine.db, engine.sessions, engine.clock)
        self.redispatch_seconds = redispatch_seconds
        self._timers = Dispatched(redispatch_seconds)
        self._effects = Dispatched(redispatch_seconds)

    def elect(self) -> None:
        """Take or keep the lock; a database error is a lost term, retried at the next interval."""
        try:
            self.lock.try_lead()
        except DBAPIError as exc:
            log.warning("leader election failed (%s); retrying", exc.__class__.__name__)
            self.lock.release()

    def sweep(self) -> None:
        if not self.lock.is_leader:
            return
        timers = self.dispatch_timers()
        effects = self.dispatch(self._effects, self.engine.outbox.due(older_than=self.redispatch_seconds),
                                self.queue.deliver_effect)
        reminded, overdue = self.engine.reminders.run()
        if timers or effects or reminded or overdue:
            log.info("leader sweep: %d timer job(s), %d effect(s) dispatched again, %d reminder(s), %d escalation(s)",
                     timers, effects, reminded, overdue)

    def dispatch_timers(self) -> int:
        """Hand every due instance to a worker, in batches of TIMER_BATCH."""
        sent = 0
        for _ in range(BATCHES_PER_SWEEP):
            due = self.engine.timers.due(limit=TIMER_BATCH, skip=self._timers.recent())
            batch = self.dispatch(self._timers, due, self.queue.advance_timers)
            sent += batch
            if batch < TIMER_BATCH:
                break
        return sent

    @staticmethod
    def dispatch(memory: Dispatched, ids: Iterable[int], send: Callable[[int], bool]) -> int:
        """Send each id not sent recently; stop at the first failed publish (Redis is down)."""
        sent = 0
        recent = memory.recent()
        for key in ids:
            if key in recent:
                continue
            if not send(key):
                break
            memory.mark(key)
            sent += 1
        return sent


def run_leader_scheduler(app: Flask) -> None:
    """Run the distributed scheduler until the process is stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine: ProcessEngine = app.extensions["diagflow"]
    jobs = LeaderScheduler(engine, queue_of(app), app.config["DIAGFLOW_REDISPATCH_SECONDS"])
    scheduler = BlockingScheduler(timezone="UTC")
    now = engine.clock.now()
    scheduler.add_job(jobs.elect, "interval", seconds=app.config["DIAGFLOW_LEADER_RETRY_SECONDS"], id="elect",
                      max_instances=1, coalesce=True, next_run_time=now)
    scheduler.add_job(jobs.sweep, "interval", seconds=app.config["DIAGFLOW_TIMER_SWEEP_SECONDS"], id="sweep",
                      max_instances=1, coalesce=True, next_run_time=now)
    log.info("scheduler %s started; standing by until it holds the leader lock", jobs.lock.holder)
    try:
        scheduler.start()
    finally:
        jobs.lock.release()
