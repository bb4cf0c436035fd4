"""Service-task handlers: what a BPMN service task's operator does.

Each module registers its operators in `OPERATORS`; the engine receives this mapping when it
is built and never imports handlers itself.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.operators import Operator

OPERATORS: dict[str, Operator] = {}


def operator(name: str) -> Callable[[Operator], Operator]:
    """Register a function as the operator `name`."""

    def register(function: Operator) -> Operator:
        if name in OPERATORS:
            raise ValueError(f"operator {name!r} is registered twice")
        OPERATORS[name] = function
        return function

    return register


from . import filing  # noqa: E402,F401 - registers its operators
