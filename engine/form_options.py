"""Named choice lists that forms refer to with `"x-options": "<name>"`, read from the store.

A source gets an `OptionContext`: the session, the user the form is shown to (or checked for)
and the instance, so a list may depend on who asks ("my completed projects"). The server
validates a submission against the same list, so a user can only submit what was offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import Actor
from .models import Instance, Organisation
from .records.subsidies import offerable_projects, project_title
from .roles import DISTRICTS

Choices = list[tuple[Any, str]]


@dataclass(frozen=True)
class OptionContext:
    """What a choice-list source may look at: `actor` is None and `instance` None when a form
    is read outside any task (e.g. validating a model)."""

    session: Session
    actor: Actor | None = None
    instance: Instance | None = None


def _organisations(kind: str) -> Callable[[OptionContext], Choices]:
    def choices(context: OptionContext) -> Choices:
        rows = context.session.execute(
            select(Organisation.id, Organisation.name, Organisation.district)
            .where(Organisation.kind == kind)
            .order_by(Organisation.name)
        )
        return [(org_id, f"{name}（{district}）" if district else name) for org_id, name, district in rows]

    return choices


def my_completed_projects(context: OptionContext) -> Choices:
    """The provider's completed, not yet applied diagnosis projects of the current campaign (by
    project instance id). The provider is the actor's organisation; someone else reading the
    instance (a district reviewer) sees the instance's provider's list, so chosen ids read as
    projects there too."""
    actor, instance = context.actor, context.instance
    if actor is not None and actor.role == "provider":
        provider_org_id = actor.organisation_id
    else:
        provider_org_id = instance.provider_org_id if instance is not None else None
    if provider_org_id is None:
        return []
    projects = offerable_projects(context.session, provider_org_id, instance.id if instance is not None else None)
    return [(project["instance_id"], project_title(project)) for project in projects]


SOURCES: dict[str, Callable[[OptionContext], Choices]] = {
    "enterprises": _organisations("enterprise"),
    "providers": _organisations("provider"),
    "districts": lambda _context: [(d, d) for d in DISTRICTS],
    "my_completed_projects": my_completed_projects,
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


def load(context: OptionContext, names: Iterable[str]) -> dict[str, Choices]:
    return {name: SOURCES[name](context) for name in names if name in SOURCES}
