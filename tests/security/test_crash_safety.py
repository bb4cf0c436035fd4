"""The web server killed with SIGKILL in the middle of a stream of completions loses nothing it
acknowledged and leaves every instance consistent (SQLite and PostgreSQL).

A real `diagflow serve` process (waitress) is started on the test's database; worker threads
drive diagnosis projects through the REST API, one step at a time, while the test kills the
server several times and starts it again. A request cut off by the kill has an unknown
outcome: the worker reads the instance again and carries on. Afterwards every instance must
load, its task index must equal the READY human tasks of its stored workflow, the audit log
must verify, and every completion answered with 200 must be in the workflow and the audit log.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.audit_verify import verify
from engine.demo import DEMO_PASSWORD
from engine.models import AuditEvent, Instance, TaskIndexRow
from engine.services import ProcessEngine
from engine.task_index import ready_human_tasks
from tests.conftest import build_engine
from tests.support import ASSESSMENT, FILING, REPORT

ROOT = Path(__file__).resolve().parents[2]
DIAGFLOW = ROOT / ".venv" / "bin" / "diagflow"
CRASHES = 3  # per database
STREAM_SECONDS = 180  # a stream that has not finished by then has failed (never hang the suite)
INSTANCES = 8
WORKERS = 4
STEPS = {  # a diagnosis project's human tasks in order: who does each and with what
    "file_contract": ("provider_a", FILING),
    "confirm_filing": ("enterprise_a", {"enterprise_confirmed": True}),
    "review_filing": ("lixia_bureau", {"filing_decision": "accept", "review_comment": "材料齐全"}),
    "submit_report": ("provider_a", REPORT),
    "confirm_assessment": ("enterprise_a", ASSESSMENT),
}
pytestmark = pytest.mark.slow


class Server:
    """`diagflow serve` on a free port, killed and restarted at will."""

    def __init__(self, database_url: str, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.environment = os.environ | {"DATABASE_URL": database_url, "SECRET_KEY": "crash-safety",
                                         "DIAGFLOW_TIMER_SWEEP_SECONDS": "3600"}
        self.environment.pop("REDIS_URL", None)
        self.log = log.open("ab")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([str(DIAGFLOW), "serve", "--port", str(self.port)], cwd=ROOT,
                                        env=self.environment, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):  # noqa: S310 - local test server
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    raise RuntimeError(f"diagflow serve exited with {self.process.returncode}") from None
                time.sleep(0.1)
        raise RuntimeError("diagflow serve did not answer /healthz within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        self.log.close()


def call(server: Server, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    """One JSON request; (status, body). Raises ConnectionError when the server is gone."""
    request = urllib.request.Request(f"{server.base}{path}", method=method,  # noqa: S310 - local test server
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}
                                     | ({"Authorization": f"Bearer {token}"} if token else {}))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local test server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:  # refused, reset or cut off
        raise ConnectionError(str(exc)) from exc


class Stream:
    """Worker threads completing every project's steps; acknowledged completions are recorded."""

    def __init__(self, server: Server, tokens: dict[str, str], enterprise_id: int, instances: list[int]) -> None:
        self.server, self.tokens, self.instances = server, tokens, instances
        self.filing = FILING | {"enterprise_id": enterprise_id}
        self.acknowledged: list[tuple[int, str, str]] = []
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.stopped = threading.Event()

    def run(self, share: list[int]) -> None:
        try:
            for instance_id in share:
                while not self.stopped.is_set() and not self._step(instance_id):
                    pass
        except Exception as exc:  # a worker that dies must fail the test, not just stop early
            self.errors.append(f"worker stopped: {exc!r}")

    def _step(self, instance_id: int) -> bool:
        """Complete the instance's next step; True when no step is left."""
        try:
            status, view = call(self.server, "GET", f"/api/instances/{instance_id}", self.tokens["city"])
            if status != 200:
                self.errors.append(f"instance {instance_id}: GET answered {status}")
                return True
            ready = [task for task in view["tasks"] if task["bpmn_id"] in STEPS]
            if not ready:
                return view["status"] != "running" or not view["tasks"]
            task = ready[0]
            user, data = STEPS[task["bpmn_id"]]
            data = self.filing if task["bpmn_id"] == "file_contract" else data
            status, _ = call(self.server, "POST", f"/api/tasks/{task['id']}/complete", self.tokens[user], {"data": data})
        except ConnectionError:
            time.sleep(0.1)
            return False
        if status == 200:
            with self.lock:
                self.acknowledged.append((instance_id, task["id"], task["bpmn_id"]))
        elif status not in (404, 409):  # 404/409: the cut-off request had gone through, or a racing read
            self.errors.append(f"instance {instance_id}: completing {task['bpmn_id']} answered {status}")
            return True
        return False

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


@pytest.fixture
def prepared(database_url: str) -> Iterator[tuple[str, int]]:
    """The database set up as `diagflow setup --demo` would, and enterprise_a's organisation id."""
    from engine.clock import Clock

    engine = build_engine(database_url, Clock())
    actor = engine.identity.authenticate("enterprise_a", DEMO_PASSWORD)
    engine.dispose()
    yield database_url, actor.organisation_id


def test_sigkill_mid_stream_loses_no_acknowledged_completion(prepared, tmp_path: Path) -> None:
    database_url, enterprise_id = prepared
    server = Server(database_url, tmp_path / "server.log")
    server.start()
    stream: Stream | None = None
    try:
        tokens = {user: call(server, "POST", "/api/auth/token", body={"username": user, "password": DEMO_PASSWORD})[1]
                  ["token"] for user in ("city", "provider_a", "enterprise_a", "lixia_bureau")}
        instances = [call(server, "POST", "/api/instances", tokens["provider_a"],
                          {"process_id": "diagnosis_project"})[1]["id"] for _ in range(INSTANCES)]
        stream = Stream(server, tokens, enterprise_id, instances)
        workers = [threading.Thread(target=stream.run, args=(instances[n::WORKERS],), daemon=True)
                   for n in range(WORKERS)]
        for worker in workers:
            worker.start()
        crashes = kill_repeatedly(server, stream, workers)
        for worker in workers:
            worker.join(timeout=STREAM_SECONDS)
        assert stream.errors == []
        assert not any(worker.is_alive() for worker in workers), "the stream did not finish"
    finally:
        if stream is not None:
            stream.stopped.set()
        server.stop()
    assert crashes == CRASHES
    assert len(stream.acknowledged) > CRASHES
    check_consistency(database_url, instances, stream.acknowledged)


def kill_repeatedly(server: Server, stream: Stream, workers: list[threading.Thread]) -> int:
    """SIGKILL the server whenever a few more completions were acknowledged; restart it each time."""
    crashes, seen, deadline = 0, 0, time.monotonic() + STREAM_SECONDS
    while crashes < CRASHES and any(worker.is_alive() for worker in workers) and time.monotonic() < deadline:
        if stream.count() >= seen + 3:
            server.kill()
            crashes += 1
            server.start()
            seen = stream.count()
        time.sleep(0.05)
    return crashes


def check_consistency(database_url: str, instances: list[int], acknowledged: list[tuple[int, str, str]]) -> None:
    from handlers import OPERATORS, START_RULES

    engine = ProcessEngine(database_url, OPERATORS, start_rules=START_RULES)
    try:
        with engine.sessions() as session:
            assert verify(session) == []
            every = sorted(session.scalars(select(Instance.id)))  # the set-up's own instances too
            assert set(instances) <= set(every)
            statuses = dict(session.execute(select(Instance.id, Instance.status).where(Instance.id.in_(instances))).all())
            assert set(statuses.values()) == {"completed"}, statuses
            completed = set(session.scalars(select(AuditEvent.task_uuid).where(AuditEvent.action == "task_completed")))
            indexed = {(row.instance_id, row.task_uuid, row.bpmn_id) for row in session.scalars(select(TaskIndexRow))}
        for instance_id in every:
            _, _, workflow = engine.runtime.load(instance_id)
            ready = {(instance_id, str(task.id), task.task_spec.bpmn_id) for task in ready_human_tasks(workflow)}
            assert ready == {row for row in indexed if row[0] == instance_id}, f"instance {instance_id}: index differs"
            for _, task_id, bpmn_id in (ack for ack in acknowledged if ack[0] == instance_id):
                assert task_id in completed, f"acknowledged {bpmn_id} of {instance_id} is not in the audit log"
                assert workflow.get_task_from_id(UUID(task_id)).state == TaskState.COMPLETED, (instance_id, bpmn_id)
    finally:
        engine.dispose()
