"""Distributed mode's Celery app. The queue only says "look again"; PostgreSQL holds the truth.

Both tasks take an id, are idempotent and may run twice. They are acknowledged late, so a
worker killed mid-task leaves its message to be delivered again (after Redis's visibility
timeout), and the scheduler dispatches again whatever is still due after a while:
- `diagflow.advance_timers(instance_id)`: fire the instance's due timers in a locked
  transaction; nothing happens if they already fired or another worker holds the instance.
- `diagflow.deliver_effect(outbox_id)`: deliver one outbox row, retried with exponential
  backoff, failed with an incident after the last attempt (engine/outbox.py).

Publishing never holds a request up for long: when Redis is unreachable the outbox row stays
pending in PostgreSQL, publishing pauses for a few seconds, and the scheduler dispatches the
row again once Redis is back.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import Celery
from flask import Flask
from kombu.exceptions import OperationalError as BrokerUnavailable
from sqlalchemy.exc import OperationalError as DatabaseUnavailable

from engine.outbox import Outcome
from engine.services import ProcessEngine

log = logging.getLogger(__name__)

QUEUE = "diagflow"
ADVANCE_TIMERS = "diagflow.advance_timers"
DELIVER_EFFECT = "diagflow.deliver_effect"
PUBLISH_PAUSE_SECONDS = 5.0


def create_celery(engine: ProcessEngine, config: dict[str, Any]) -> Celery:
    """The Celery app for one process, its tasks bound to that process's engine."""
    celery = Celery("diagflow", broker=config["REDIS_URL"], set_as_current=False)
    celery.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_publish_retry=False,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        broker_transport_options={
            "visibility_timeout": config["DIAGFLOW_CELERY_VISIBILITY_TIMEOUT"],
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
            "max_retries": 0,
        },
    )

    @celery.task(name=ADVANCE_TIMERS, autoretry_for=(DatabaseUnavailable,), retry_backoff=True, max_retries=8)
    def advance_timers(instance_id: int) -> bool:
        return engine.timers.advance(instance_id)

    @celery.task(name=DELIVER_EFFECT, bind=True, autoretry_for=(DatabaseUnavailable,), retry_backoff=True,
                 max_retries=None)
    def deliver_effect(task: Any, outbox_id: int) -> str:
        result = engine.outbox.deliver(outbox_id)
        if result.outcome is Outcome.RETRY:
            raise task.retry(countdown=result.retry_in)
        return result.outcome.value

    return celery


class TaskQueue:
    """Publishes tasks to Redis and reads its depth; a failed publish pauses publishing for a
    moment instead of making every request wait for a broker that is down."""

    def __init__(self, celery: Celery, redis_url: str) -> None:
        self.celery = celery
        self._redis = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2)
        self._paused_until = 0.0

    def advance_timers(self, instance_id: int) -> bool:
        return self._send(ADVANCE_TIMERS, instance_id)

    def deliver_effect(self, outbox_id: int) -> bool:
        return self._send(DELIVER_EFFECT, outbox_id)

    def _send(self, name: str, argument: int) -> bool:
        """True once Redis has the message; False leaves the work pending in PostgreSQL."""
        if time.monotonic() < self._paused_until:
            return False
        try:
            self.celery.send_task(name, args=[argument], queue=QUEUE)
        except (BrokerUnavailable, redis.RedisError, OSError) as exc:
            self._paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            log.warning("Redis unreachable (%s); %s(%s) stays pending for the scheduler to dispatch again",
                        exc.__class__.__name__, name, argument)
            return False
        return True

    def depth(self) -> dict[str, int]:
        """Messages waiting in the queue and messages taken by workers but not yet acknowledged."""
        return {"queued": int(self._redis.llen(QUEUE)), "unacked": int(self._redis.hlen("unacked"))}

    def ping(self) -> bool:
        return bool(self._redis.ping())


def setup_outbox(app: Flask) -> None:
    """Apply the outbox settings; with REDIS_URL its rows go to Celery workers (distributed mode)."""
    engine: ProcessEngine = app.extensions["diagflow"]
    engine.outbox.max_attempts = app.config["DIAGFLOW_EFFECT_MAX_ATTEMPTS"]
    engine.outbox.backoff_seconds = app.config["DIAGFLOW_EFFECT_BACKOFF_SECONDS"]
    if app.config["REDIS_URL"]:
        queue = TaskQueue(create_celery(engine, app.config), app.config["REDIS_URL"])
        engine.outbox.dispatch = queue.deliver_effect
        app.extensions["diagflow_queue"] = queue


def queue_of(app: Flask) -> TaskQueue:
    queue = app.extensions.get("diagflow_queue")
    if queue is None:
        raise RuntimeError("REDIS_URL is not set: workers and the distributed scheduler need Redis")
    return queue
