"""Prometheus metrics. Counts come from the database at scrape time, so they are right across
several web processes and workers and survive restarts; only the sweep duration is measured
in the process that sweeps.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from .clock import Clock
from .models import AuditEvent, Instance

SWEEP_SECONDS = Histogram(
    "diagflow_sweep_duration_seconds", "How long one timer sweep took", registry=None,
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30),
)


class StoreCollector(Collector):
    """Instances started and completed, tasks completed and open incidents per process, and
    the lag of the most overdue timer that has not fired yet."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            yield self._per_process(session, CounterMetricFamily(
                "diagflow_instances_started", "Process instances started", labels=["process_id"]), None)
            yield self._per_process(session, CounterMetricFamily(
                "diagflow_instances_completed", "Process instances completed", labels=["process_id"]), "completed")
            yield self._per_process(session, GaugeMetricFamily(
                "diagflow_open_incidents", "Instances in error waiting for the process owner",
                labels=["process_id"]), "error")
            yield self._tasks_completed(session)
            yield self._timer_lag(session)

    @staticmethod
    def _per_process(session: Session, family: Metric, status: str | None) -> Metric:
        query = select(Instance.process_id, func.count()).group_by(Instance.process_id)
        if status is not None:
            query = query.where(Instance.status == status)
        for process_id, count in session.execute(query):
            family.add_metric([process_id], count)
        return family

    @staticmethod
    def _tasks_completed(session: Session) -> Metric:
        family = CounterMetricFamily("diagflow_tasks_completed", "Human tasks completed", labels=["process_id"])
        query = (select(Instance.process_id, func.count()).select_from(AuditEvent)
                 .join(Instance, Instance.id == AuditEvent.instance_id)
                 .where(AuditEvent.action == "task_completed").group_by(Instance.process_id))
        for process_id, count in session.execute(query):
            family.add_metric([process_id], count)
        return family

    def _timer_lag(self, session: Session) -> Metric:
        now = self._clock.now()
        oldest = session.scalar(select(func.min(Instance.next_timer_at))
                                .where(Instance.status == "running", Instance.next_timer_at < now))
        lag = (now - oldest).total_seconds() if oldest is not None else 0.0
        return GaugeMetricFamily("diagflow_timer_lag_seconds",
                                 "How long the most overdue timer has been due without firing", value=lag)


def registry_for(sessions: sessionmaker[Session], clock: Clock) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(sessions, clock))
    registry.register(SWEEP_SECONDS)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format of everything in `registry`."""
    return generate_latest(registry)
