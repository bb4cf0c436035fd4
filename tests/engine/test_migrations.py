"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from engine import records  # noqa: F401 - registers the business-record tables
from engine.db import make_engine
from engine.models import Base
from engine.schema import UnmanagedDatabase, alembic_config, upgrade


def test_upgrade_matches_the_models_and_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_refused_with_advice(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY)"))
    with pytest.raises(UnmanagedDatabase, match="delete var/diagflow.db"):
        upgrade(engine)
    engine.dispose()


def test_contract_and_announced_amounts_become_integer_fen(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)  # without make_engine's foreign keys: a filing row alone is enough
    try:
        upgrade(engine, "0002")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO filings (id, instance_id, provider_org_id, enterprise_org_id, district, contract_no, "
                "contract_date, contract_amount, working_group, revision, status, filed_at) VALUES "
                "(1, 1, 1, 2, '历下区', 'HT-1', '2026-03-01', 30500.5, '[]', 1, 'pending', '2026-03-02 01:00:00'), "
                "(2, 2, 1, 3, '历下区', 'HT-2', '2026-03-01', 48000.07, '[]', 1, 'pending', '2026-03-02 01:00:00')"))
            connection.execute(text(
                "INSERT INTO announcements (id, plan_id, instance_id, title, legal_basis, items, starts_at, ends_at, "
                "contact_office, contact_phone, contact_address, contact_email, status) VALUES (1, 1, 1, 't', 'b', "
                "'[{\"item_id\": 1, \"amount_yuan\": 41666.5}, {\"item_id\": 2, \"amount_yuan\": 50000}]', "
                "'2026-03-02 01:00:00', '2026-03-09 16:00:00', 'o', 'p', 'a', 'e', 'open')"))
        upgrade(engine, "0010")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, contract_amount_fen FROM filings ORDER BY id")).all()
            items = json.loads(connection.execute(text("SELECT items FROM announcements")).scalar_one())
        assert [tuple(row) for row in rows] == [(1, 3050050), (2, 4800007)]
        assert items == [{"item_id": 1, "amount_fen": 4166650}, {"item_id": 2, "amount_fen": 5000000}]
    finally:
        engine.dispose()


def test_the_migrations_form_one_line(sqlite_url: str) -> None:
    """Work done in parallel branches from one revision; merged, the chain must have one head again."""
    engine = make_engine(sqlite_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    engine.dispose()
    assert script.get_heads() == [max(revision.revision for revision in script.walk_revisions())]
