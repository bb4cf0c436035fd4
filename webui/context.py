"""Request-scoped access to the engine and the signed-in actor."""

from __future__ import annotations

from flask import current_app, g

from engine.access import Actor
from engine.services import ProcessEngine


def engine() -> ProcessEngine:
    return current_app.extensions["diagflow"]


def actor() -> Actor | None:
    return g.get("actor")
