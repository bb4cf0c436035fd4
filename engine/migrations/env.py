"""Alembic environment: diagflow's metadata, on the connection the caller hands in."""

from __future__ import annotations

from alembic import context

from engine import records  # noqa: F401 - registers the business-record tables
from engine.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
