"""Liveness for operators and load balancers.

`status` is `ok`, `degraded` or `error`. Only a database that does not answer is an error
(HTTP 503: this web process cannot serve anything). Redis down, or no live scheduler leader,
is `degraded` with HTTP 200: inboxes and forms still work and the outbox keeps effects pending
in PostgreSQL until Redis is back, so a load balancer must keep sending users here.
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine import mail
from engine.leader import current_leader, is_stale

from .celery_app import TaskQueue
from .context import engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    database = _database()
    body: dict[str, Any] = {"database": database, "dialect": engine().db.dialect.name}
    if database != "ok":
        return jsonify(body | {"status": "error"}), 503
    body["outbox"] = engine().outbox.counts()
    body["mail"] = mail.status()
    queue = current_app.extensions.get("diagflow_queue")
    if queue is None:
        scheduler = current_app.extensions.get("diagflow_scheduler")
        body |= {"mode": "embedded", "scheduler": "running" if scheduler is not None and scheduler.running
                 else "not running"}
        return jsonify(body | {"status": "ok"}), 200
    body |= {"mode": "distributed", **_leader(), **_redis(queue)}
    healthy = body["redis"] == "ok" and body["scheduler"] == "ok"
    return jsonify(body | {"status": "ok" if healthy else "degraded"}), 200


def _database() -> str:
    try:
        with engine().db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _leader() -> dict[str, Any]:
    """Who holds the scheduler's leader lock, from the heartbeat it writes."""
    leader = current_leader(engine().sessions)
    if leader is None:
        return {"scheduler": "no leader", "leader": None}
    stale = is_stale(leader, engine().clock.now(), current_app.config["DIAGFLOW_LEADER_RETRY_SECONDS"])
    return {
        "scheduler": "stale" if stale else "ok",
        "leader": {"holder": leader.holder, "since": leader.acquired_at, "heartbeat_at": leader.heartbeat_at},
    }


def _redis(queue: TaskQueue) -> dict[str, Any]:
    try:
        return {"redis": "ok", "queue": queue.depth()}
    except (redis.RedisError, OSError) as exc:
        return {"redis": f"error: {exc.__class__.__name__}", "queue": None}
