"""Faults in distributed mode: a worker killed mid-job, two web processes racing on one task,
Redis stopped and restarted. Nothing is lost and nothing is done twice."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, Instance, OutboxEffect, TaskIndexRow
from engine.task_index import ready_human_tasks
from tests.distributed.conftest import CITY, Cluster, now
from webui import create_app

pytestmark = pytest.mark.distributed
PASSWORD = "distributed-2026"


def markers(cluster: Cluster, prefix: str) -> set[int]:
    """Pids of the processes that reached a hold point (see plugins.hold)."""
    return {int(path.name.rsplit("-", 1)[1]) for path in cluster.workdir.glob(f"{prefix}-*")}


def effect_lines(cluster: Cluster) -> list[str]:
    path = cluster.workdir / "effects.log"
    return path.read_text().split() if path.exists() else []


def count(cluster: Cluster, action: str, instance_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if instance_id is not None:
        query = query.where(AuditEvent.instance_id == instance_id)
    with cluster.engine.sessions() as session:
        return session.scalar(query)


def outbox_rows(cluster: Cluster) -> list[OutboxEffect]:
    with cluster.engine.sessions() as session:
        return list(session.scalars(select(OutboxEffect).order_by(OutboxEffect.id)))


def statuses(cluster: Cluster) -> dict[str, int]:
    with cluster.engine.sessions() as session:
        return dict(session.execute(select(Instance.status, func.count()).group_by(Instance.status)).all())


def test_a_worker_killed_mid_job_leaves_it_to_another_and_nothing_is_done_twice(cluster: Cluster) -> None:
    cluster.env["DIAGFLOW_REDISPATCH_SECONDS"] = "2"
    cluster.scheduler("scheduler")
    workers = {cluster.worker(f"worker-{n}", concurrency=1).pid: f"worker-{n}" for n in (1, 2, 3)}
    cluster.engine.clock.set(now() - timedelta(hours=1))
    instance_id = cluster.engine.instances.start("dist_hold", CITY)
    cluster.wait(lambda: markers(cluster, "operator"), 60, "a worker runs the instance's operator")
    [first] = markers(cluster, "operator")
    cluster.kill(workers[first])  # inside the engine transaction that fires the timer

    (cluster.workdir / "release-operator").touch()
    cluster.wait(lambda: markers(cluster, "effect"), 60, "another worker advanced the instance and runs its effect")
    [second] = markers(cluster, "effect")
    cluster.kill(workers[second])  # inside the effect, after the instance committed

    (cluster.workdir / "release-effect").touch()
    cluster.wait(lambda: [row.status for row in outbox_rows(cluster)] == ["delivered"], 60, "the effect delivered")

    [last] = set(workers) - {first, second}
    assert markers(cluster, "operator") - {first} <= {second, last} and len(markers(cluster, "operator")) == 2
    assert markers(cluster, "effect") == {second, last}
    assert effect_lines(cluster) == [str(instance_id)]
    assert [row.attempts for row in outbox_rows(cluster)] == [1]
    assert count(cluster, "timer_fired", instance_id) == 1
    assert count(cluster, "operator_ran", instance_id) == 2  # test.hold and test.queue_effect, once each
    instance, _, workflow = cluster.engine.runtime.load(instance_id)
    with cluster.engine.sessions() as session:
        indexed = set(session.scalars(select(TaskIndexRow.task_uuid).where(TaskIndexRow.instance_id == instance_id)))
    assert instance.status == "running"
    assert {task.task_spec.bpmn_id for task in ready_human_tasks(workflow)} == {"check"}
    assert indexed == {str(task.id) for task in ready_human_tasks(workflow)}


def request(port: int, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    call = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(call, timeout=30) as response:  # noqa: S310 - http to our own server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_two_web_processes_completing_one_task_at_once_one_wins_the_other_gets_409(cluster: Cluster) -> None:
    ports = [cluster.web("web-1"), cluster.web("web-2")]
    cluster.engine.identity.ensure_user("dist_city", PASSWORD, "测试", "city_bureau")
    instance_id = cluster.engine.instances.start("dist_review", CITY)
    cluster.wait(lambda: all(answers(port) for port in ports), 60, "both gunicorn servers answer")
    _, issued = request(ports[0], "/api/auth/token", {"username": "dist_city", "password": PASSWORD})
    with cluster.engine.sessions() as session:
        task_uuid = session.scalar(select(TaskIndexRow.task_uuid).where(TaskIndexRow.instance_id == instance_id))

    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[int] = []

    def complete(port: int) -> None:
        barrier.wait()
        status, _ = request(port, f"/api/tasks/{task_uuid}/complete", {"data": {"note": f"port {port}"}},
                            issued["token"])
        outcomes.append(status)

    threads = [threading.Thread(target=complete, args=(port,)) for port in ports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [200, 409]
    assert count(cluster, "task_completed", instance_id) == 1
    assert statuses(cluster) == {"completed": 1}


def test_redis_stopped_and_restarted_loses_no_effect_and_no_timer(cluster: Cluster) -> None:
    cluster.env["DIAGFLOW_REDISPATCH_SECONDS"] = "2"
    cluster.worker("worker")
    cluster.scheduler("scheduler")
    cluster.engine.identity.ensure_user("dist_city", PASSWORD, "测试", "city_bureau")
    app = create_app({"TESTING": True, "REDIS_URL": cluster.redis.url, "DIAGFLOW_LEADER_RETRY_SECONDS": 1.0},
                     engine=cluster.engine)
    client = app.test_client()
    cluster.wait(lambda: client.get("/healthz").json["status"] == "ok", 60, "healthy: Redis up, a leader elected")

    cluster.redis.stop()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert (health.json["status"], health.json["database"]) == ("degraded", "ok")
    assert health.json["redis"].startswith("error")
    token = client.post("/api/auth/token", json={"username": "dist_city", "password": PASSWORD}).json["token"]
    assert client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    cluster.engine.clock.set(now() - timedelta(seconds=58))  # their timers fall due while Redis is down
    started = [cluster.engine.instances.start("dist_effect", CITY) for _ in range(5)]
    assert [row.status for row in outbox_rows(cluster)] == ["pending"] * 5
    cluster.wait(lambda: client.get("/healthz").json["outbox"] == {"pending": 5}, 10, "the effects wait in PostgreSQL")

    cluster.redis.start()

    cluster.wait(lambda: len(effect_lines(cluster)) >= 5, 90, "the effects delivered after Redis returned")
    cluster.wait(lambda: statuses(cluster) == {"completed": 5}, 60, "the timers fired after Redis returned")
    assert sorted(effect_lines(cluster)) == sorted(str(instance_id) for instance_id in started)
    assert [row.status for row in outbox_rows(cluster)] == ["delivered"] * 5
    assert count(cluster, "timer_fired") == 5
