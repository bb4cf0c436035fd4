"""The scheduler's leader lock on PostgreSQL: one holder at a time, handed over when the holder
lets go or loses its connection; the holder's heartbeat is what /healthz reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from engine.clock import MovableClock
from engine.db import make_engine, make_session_factory
from engine.leader import LOCK_KEY, LeaderLock, current_leader, is_stale
from engine.models import SchedulerLeader


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    SchedulerLeader.__table__.create(engine)
    yield engine
    engine.dispose()


def locks(db: Engine, clock: MovableClock) -> tuple[LeaderLock, LeaderLock]:
    first, second = (LeaderLock(db, make_session_factory(db), clock) for _ in range(2))
    first.holder, second.holder = "app1:101", "app2:202"
    return first, second


def test_one_leader_at_a_time_and_the_standby_takes_over(db: Engine, clock: MovableClock) -> None:
    first, second = locks(db, clock)
    assert first.try_lead() and not second.try_lead()
    assert first.try_lead()  # keeping the lock
    assert current_leader(make_session_factory(db)).holder == "app1:101"
    first.release()
    clock.advance(timedelta(seconds=5))
    assert second.try_lead() and not first.try_lead()
    leader = current_leader(make_session_factory(db))
    assert (leader.holder, leader.acquired_at, leader.heartbeat_at) == ("app2:202", clock.now(), clock.now())
    second.release()


def test_a_leader_that_loses_its_connection_stops_leading(db: Engine, clock: MovableClock) -> None:
    first, second = locks(db, clock)
    assert first.try_lead()
    with db.connect() as admin:  # end the holder's backend, as a crashed machine or a DBA would
        key = admin.scalar(text(f"SELECT {LOCK_KEY}"))
        [holder] = admin.scalars(text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                                      " AND ((classid::bigint << 32) | objid::bigint) = :key"), {"key": key}).all()
        admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": holder})  # waits until it is gone
    assert second.try_lead()
    assert not first.try_lead() and not first.is_leader
    second.release()


def test_a_heartbeat_older_than_three_retries_is_stale(db: Engine, clock: MovableClock) -> None:
    first, _ = locks(db, clock)
    first.try_lead()
    leader = current_leader(make_session_factory(db))
    assert not is_stale(leader, clock.now() + timedelta(seconds=30), retry_seconds=10)
    assert is_stale(leader, clock.now() + timedelta(seconds=31), retry_seconds=10)
    first.release()
