"""Liveness for operators and load balancers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .context import engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        with engine().db.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        database = f"error: {exc.__class__.__name__}"
    scheduler = current_app.extensions.get("diagflow_scheduler")
    body = {
        "status": "ok" if database == "ok" else "error",
        "database": database,
        "dialect": engine().db.dialect.name,
        "scheduler": "running" if scheduler is not None and scheduler.running else "not running",
    }
    return jsonify(body), 200 if database == "ok" else 503
