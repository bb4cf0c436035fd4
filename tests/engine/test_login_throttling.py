"""Five wrong passwords within 15 minutes lock a name for 15 minutes; the page and the API say so."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.identity import LockedOut


def test_five_failures_lock_the_name_for_a_while(sqlite_engine, clock, demo_password) -> None:
    identity = sqlite_engine.identity
    for _ in range(4):
        assert identity.authenticate("lixia_bureau", "wrong") is None
    assert identity.authenticate("lixia_bureau", demo_password) is not None  # a success resets the count
    for _ in range(5):
        assert identity.authenticate("lixia_bureau", "wrong") is None
    with pytest.raises(LockedOut, match="临时锁定"):
        identity.authenticate("lixia_bureau", demo_password)
    assert identity.authenticate("licheng_bureau", demo_password) is not None  # others are not affected
    clock.advance(timedelta(minutes=16))
    assert identity.authenticate("lixia_bureau", demo_password) is not None


def test_failures_spread_over_time_do_not_add_up(sqlite_engine, clock, demo_password) -> None:
    for _ in range(4):
        sqlite_engine.identity.authenticate("city", "wrong")
    clock.advance(timedelta(minutes=20))
    for _ in range(4):
        sqlite_engine.identity.authenticate("city", "wrong")
    assert sqlite_engine.identity.authenticate("city", demo_password) is not None


def test_unknown_names_are_throttled_too(sqlite_engine) -> None:
    for _ in range(5):
        assert sqlite_engine.identity.authenticate("nobody", "x") is None
    with pytest.raises(LockedOut):
        sqlite_engine.identity.authenticate("nobody", "x")


def test_page_and_api_answer_429_while_locked(app, demo_password) -> None:
    client = app.test_client()
    for _ in range(5):
        assert client.post("/api/auth/token", json={"username": "provider_b", "password": "wrong"}).status_code == 401
    locked = client.post("/api/auth/token", json={"username": "provider_b", "password": demo_password})
    assert locked.status_code == 429 and "临时锁定" in locked.json["error"]
    app.config["WTF_CSRF_ENABLED"] = False
    page = client.post("/login", data={"username": "provider_b", "password": demo_password})
    assert page.status_code == 429 and "临时锁定" in page.get_data(as_text=True)
