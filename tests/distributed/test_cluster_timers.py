"""Timers at scale: two schedulers elect one leader, which hands due instances to two Celery
workers; every timer fires exactly once, also when the leader is killed mid-run and the
standby takes over (timers falling due after the failover fire too)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.leader import current_leader
from engine.models import AuditEvent, Instance
from tests.distributed.conftest import CITY, Cluster, now

pytestmark = pytest.mark.distributed


def start_waiting(cluster: Cluster, count: int, due: datetime) -> None:
    """Start `count` instances whose 60-second timer falls due at `due` (the test's clock moves)."""
    cluster.engine.clock.set(due - timedelta(seconds=60))
    with ThreadPoolExecutor(4) as pool:  # the database round trips overlap
        list(pool.map(lambda _: cluster.engine.instances.start("dist_wait", CITY), range(count)))


def fired(cluster: Cluster) -> tuple[int, int]:
    """Timer events in the audit log, and how many instances they belong to."""
    with cluster.engine.sessions() as session:
        query = select(func.count(), func.count(func.distinct(AuditEvent.instance_id))).where(
            AuditEvent.action == "timer_fired")
        events, instances = session.execute(query).one()
        return events, instances


def completed(cluster: Cluster) -> int:
    with cluster.engine.sessions() as session:
        return session.scalar(select(func.count()).select_from(Instance).where(Instance.status == "completed"))


def leader_pid(cluster: Cluster) -> int | None:
    leader = current_leader(cluster.engine.sessions)
    return int(leader.holder.rsplit(":", 1)[1]) if leader else None


def test_a_thousand_timers_fire_exactly_once_with_two_schedulers_two_workers_and_a_failover(cluster: Cluster) -> None:
    for name in ("worker-1", "worker-2"):
        cluster.worker(name)
    names = {cluster.scheduler(name).pid: name for name in ("scheduler-1", "scheduler-2")}
    start = now()
    start_waiting(cluster, 1000, start - timedelta(hours=1))
    for second in range(20, 30, 2):
        start_waiting(cluster, 4, start + timedelta(seconds=second))  # due after the failover
    cluster.wait(lambda: leader_pid(cluster) in names, 30, "a leader elected")
    first = leader_pid(cluster)
    cluster.wait(lambda: fired(cluster)[0] >= 100, 60, "the first hundred timers fired")

    cluster.kill(names[first])

    cluster.wait(lambda: leader_pid(cluster) not in (None, first), 30, "the standby took over")
    cluster.wait(lambda: completed(cluster) == 1020, 150, "every timer fired")
    assert fired(cluster) == (1020, 1020)
