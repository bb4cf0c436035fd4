"""The database schema, managed by Alembic migrations in engine/migrations (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class UnmanagedDatabase(RuntimeError):
    """The database has diagflow's tables but no migration history: it predates migrations."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (idempotent)."""
    tables = set(inspect(engine).get_table_names())
    if tables and "alembic_version" not in tables:
        raise UnmanagedDatabase(
            f"{engine.url.render_as_string(hide_password=True)} was created before diagflow used migrations; "
            "move it aside (for the embedded demo: delete var/diagflow.db) and run the set-up again"
        )
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
