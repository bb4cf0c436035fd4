"""A service the tests need (PostgreSQL, redis-server) is missing: on CI that is a failure,
on a laptop a skip whose message says how to enable the tests."""

from __future__ import annotations

import os

import pytest


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
