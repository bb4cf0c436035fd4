"""Two completions of one task at the same moment: exactly one wins, the other gets Conflict.

Both threads load the instance before either saves (a barrier inside `Unit.run` holds them),
so the optimistic lock — not luck — decides. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine import runtime
from engine.errors import Conflict
from engine.models import AuditEvent
from tests.support import FILING, Scenario


def test_simultaneous_completions_one_wins(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Scenario(engine).start("provider_a")
    provider = project.actor("provider_a")
    task = project.task_of("provider_a", "file_contract")
    data = FILING | {"enterprise_id": project.organisation_id("enterprise_a")}

    barrier = threading.Barrier(2, timeout=20)
    original_run = runtime.Unit.run

    def run_after_both_loaded(self, task, data) -> None:  # noqa: ANN001 - same signature as Unit.run
        barrier.wait()
        original_run(self, task, data)

    monkeypatch.setattr(runtime.Unit, "run", run_after_both_loaded)
    outcomes: list[str] = []

    def complete() -> None:
        try:
            engine.tasks.complete(provider, task["id"], data)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["conflict", "ok"]
    monkeypatch.setattr(runtime.Unit, "run", original_run)
    assert project.waiting_at() == ["confirm_filing"]
    with engine.sessions() as session:
        completions = session.scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.task_uuid == task["id"], AuditEvent.action == "task_completed"
            )
        )
    assert completions == 1


def test_http_409_for_the_loser(app, demo_password: str) -> None:
    """The web layer maps the engine's Conflict to 409 for a task completed meanwhile."""
    client = app.test_client()
    token = client.post("/api/auth/token", json={"username": "provider_a", "password": demo_password}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    instance_id = client.post("/api/instances", json={"process_id": "diagnosis_project"}, headers=headers).json["id"]
    task = client.get("/api/tasks", headers=headers).json["items"][0]
    schema = client.get(f"/api/tasks/{task['id']}", headers=headers).json["form"]["schema"]
    data = FILING | {"enterprise_id": schema["properties"]["enterprise_id"]["oneOf"][0]["const"]}
    first = client.post(f"/api/tasks/{task['id']}/complete", json={"data": data}, headers=headers)
    second = client.post(f"/api/tasks/{task['id']}/complete", json={"data": data}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 409)
    assert instance_id == task["instance_id"]
