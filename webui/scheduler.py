"""The embedded scheduler: APScheduler inside the web process runs the timer sweep."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

log = logging.getLogger(__name__)


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler:
    """Sweep due timers every DIAGFLOW_TIMER_SWEEP_SECONDS; one sweep at start-up catches up
    on timers that fell due while the server was down."""
    engine = app.extensions["diagflow"]

    def sweep() -> None:
        advanced = engine.timers.sweep()
        reminded, overdue = engine.reminders.run()
        if advanced or reminded or overdue:
            log.info("sweep: %d instance(s) advanced, %d reminder(s), %d escalation(s)", advanced, reminded, overdue)

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        sweep,
        "interval",
        seconds=app.config["DIAGFLOW_TIMER_SWEEP_SECONDS"],
        id="timer-sweep",
        max_instances=1,
        coalesce=True,
        next_run_time=engine.clock.now(),
    )
    scheduler.start()
    app.extensions["diagflow_scheduler"] = scheduler
    return scheduler
