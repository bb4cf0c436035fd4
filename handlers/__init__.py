"""Service-task handlers: what a BPMN service task's operator does.

Each module registers its operators in `OPERATORS`; the engine receives this mapping when it
is built and never imports handlers itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from engine.operators import Operator, StartRule

OPERATORS: dict[str, Operator] = {}
START_RULES: dict[str, list[StartRule]] = {}


def operator(name: str) -> Callable[[Operator], Operator]:
    """Register a function as the operator `name`."""

    def register(function: Operator) -> Operator:
        if name in OPERATORS:
            raise ValueError(f"operator {name!r} is registered twice")
        OPERATORS[name] = function
        return function

    return register


def start_rule(*process_ids: str) -> Callable[[StartRule], StartRule]:
    """Register a function that may refuse to start any of `process_ids`."""

    def register(function: StartRule) -> StartRule:
        for process_id in process_ids:
            START_RULES.setdefault(process_id, []).append(function)
        return function

    return register


def _import_all() -> None:
    """Import every module of this package, so each registers its operators."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_all()
