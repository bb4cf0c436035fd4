"""Reference data every installation needs (not demo data): the working-day calendar and the
guideline in force, registered through its own process so its reminders and expiry run."""

from __future__ import annotations

from sqlalchemy import select

from .access import Actor
from .i18n import N_
from .records.guidelines import ORIGINAL, Guideline
from .services import ProcessEngine

SETUP = Actor(user_id=None, username="setup", role="city_bureau", display_name=N_("系统初始化"))


def seed_reference_data(engine: ProcessEngine) -> list[str]:
    """Seed what is missing; idempotent. Returns a line per thing done."""
    done = []
    years = engine.calendar.seed()
    if years:
        done.append(f"calendar: {years} year(s) seeded from chinesecalendar")
    with engine.sessions() as session:
        registered = session.scalar(select(Guideline.id).limit(1)) is not None
    if not registered:
        instance_id = engine.instances.start("guideline_validity", SETUP)
        task = engine.tasks.inbox(SETUP, instance_id=instance_id)[0][0]
        engine.tasks.complete(SETUP, task["id"], dict(ORIGINAL))
        done.append(f"guideline registered: {ORIGINAL['doc_no']} (instance {instance_id})")
    return done
