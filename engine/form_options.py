"""Named choice lists that forms refer to with `"x-options": "<name>"`, read from the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Organisation
from .roles import DISTRICTS

Choices = list[tuple[Any, str]]


def _organisations(kind: str) -> Callable[[Session], Choices]:
    def choices(session: Session) -> Choices:
        rows = session.execute(
            select(Organisation.id, Organisation.name, Organisation.district)
            .where(Organisation.kind == kind)
            .order_by(Organisation.name)
        )
        return [(org_id, f"{name}（{district}）" if district else name) for org_id, name, district in rows]

    return choices


SOURCES: dict[str, Callable[[Session], Choices]] = {
    "enterprises": _organisations("enterprise"),
    "providers": _organisations("provider"),
    "districts": lambda _session: [(d, d) for d in DISTRICTS],
}


def referenced(schema: Any) -> set[str]:
    """Every source name a schema refers to, at any depth."""
    found: set[str] = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("x-options"), str):
            found.add(schema["x-options"])
        for value in schema.values():
            found |= referenced(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= referenced(value)
    return found


def load(session: Session, names: Iterable[str]) -> dict[str, Choices]:
    return {name: SOURCES[name](session) for name in names if name in SOURCES}
