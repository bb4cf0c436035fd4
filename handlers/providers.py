"""Providers (第九条): the published list and its dynamic management."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import Actor
from engine.clock import Clock
from engine.errors import Forbidden
from engine.records.providers import listing_problem

from . import start_rule


@start_rule("diagnosis_project")
def provider_must_be_listed(session: Session, actor: Actor, _clock: Clock) -> None:
    """Only a provider on the published list, not suspended or removed, files new projects."""
    problem = listing_problem(session, actor.organisation_id)
    if problem:
        raise Forbidden(problem)
