"""Shared fixtures: a process engine on SQLite and on PostgreSQL, demo data, a web client.

PostgreSQL tests use DIAGFLOW_TEST_POSTGRES_URL (default: the local server's `test`
database). With CI=true a missing server fails the run; elsewhere those tests skip and say
how to enable them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine.clock import SHANGHAI, MovableClock
from engine.demo import DEMO_PASSWORD, load_demo
from engine.reference_data import seed_reference_data
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.availability import unavailable

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
POSTGRES_URL = os.environ.get("DIAGFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def postgres_schema_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards; skip or fail if unreachable."""
    schema = f"dftest_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        message = (
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.orig.__class__.__name__}); "
            "start it or set DIAGFLOW_TEST_POSTGRES_URL to run these tests"
        )
        unavailable(message)
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_engine(url: str, clock: MovableClock) -> ProcessEngine:
    engine = ProcessEngine(url, OPERATORS, clock=clock, start_rules=START_RULES)
    engine.create_schema()
    for folder in sorted(p for p in PROCESSES.iterdir() if any(p.glob("*.bpmn"))):
        engine.repository.deploy_folder(folder, "tests")
    seed_reference_data(engine)
    load_demo(engine.identity)
    return engine


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'diagflow.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        return request.getfixturevalue("postgres_url")
    return request.getfixturevalue("sqlite_url")


@pytest.fixture
def engine(database_url: str, clock: MovableClock) -> Iterator[ProcessEngine]:
    engine = build_engine(database_url, clock)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str, clock: MovableClock) -> Iterator[ProcessEngine]:
    engine = build_engine(sqlite_url, clock)
    yield engine
    engine.dispose()


@pytest.fixture
def app(sqlite_engine: ProcessEngine):  # noqa: ANN201 - a Flask app
    from webui import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True}, engine=sqlite_engine)
    return app


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD
