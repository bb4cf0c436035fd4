"""Fixtures for the security tests: one engine and app per module where tests only read or add.

Building an engine (schema, every model deployed, calendar, demo users) takes a few seconds;
tests that do not need a pristine database share one per module.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from engine.clock import MovableClock
from engine.services import ProcessEngine
from tests.conftest import START, build_engine

# Hypothesis caches constants under its home directory (default ./.hypothesis, in the repository).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "diagflow-hypothesis")


@pytest.fixture(scope="module")
def module_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessEngine]:
    path = tmp_path_factory.mktemp("security") / "diagflow.db"
    engine = build_engine(f"sqlite:///{path}", MovableClock(START))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def module_app(module_engine: ProcessEngine):  # noqa: ANN201 - a Flask app
    from webui import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "security-tests", "WTF_CSRF_ENABLED": False},
                      engine=module_engine)
