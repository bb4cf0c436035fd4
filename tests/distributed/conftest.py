"""Distributed mode for real: PostgreSQL (a schema per test), a redis-server the test starts on
a free port (so it can stop and restart it), and worker, scheduler and web processes started
with subprocess. With CI=true a missing PostgreSQL or redis-server fails; elsewhere the tests
skip and say how to enable them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from engine.access import Actor
from engine.clock import MovableClock
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from tests.availability import unavailable
from tests.conftest import ROOT, postgres_schema_url
from tests.distributed.plugins import MODELS, TEST_OPERATORS

CITY = Actor(user_id=None, username="tests", role="city_bureau", display_name="测试")
REDIS_SERVER = shutil.which(os.environ.get("DIAGFLOW_TEST_REDIS_SERVER", "redis-server"))
BIN = Path(sys.executable).parent
SETTINGS = {
    "DIAGFLOW_TIMER_SWEEP_SECONDS": "0.5",
    "DIAGFLOW_LEADER_RETRY_SECONDS": "1",
    "DIAGFLOW_REDISPATCH_SECONDS": "4",
    "DIAGFLOW_EFFECT_BACKOFF_SECONDS": "1",
    "SECRET_KEY": "distributed-tests",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], object], timeout: float, what: str, logs: Callable[[], str] = str) -> None:
    """Poll `check` until it is true; fail naming `what` (and the processes' logs) after `timeout`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s\n{logs()}")
        time.sleep(0.2)


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart loses every message."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self._workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: self._answers(client), 10, f"redis-server on port {self.port}")

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


class Cluster:
    """The processes of one test, on one PostgreSQL schema and one Redis; stopped at the end."""

    def __init__(self, workdir: Path, database_url: str, redis_server: RedisServer) -> None:
        self.workdir = workdir
        self.redis = redis_server
        self.env = {**os.environ, **SETTINGS, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
                    "DIAGFLOW_TEST_DIR": str(workdir), "PYTHONPATH": str(ROOT)}
        self.env.pop("CI", None)
        self.processes: dict[str, subprocess.Popen] = {}
        self.engine = ProcessEngine(database_url, {**OPERATORS, **TEST_OPERATORS}, clock=MovableClock(now()),
                                    start_rules=START_RULES)
        self.engine.create_schema()
        for name, files in MODELS.items():
            self.engine.repository.deploy(name, files, "tests")

    def start(self, name: str, *command: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        return process

    def worker(self, name: str, concurrency: int = 2) -> subprocess.Popen:
        return self.start(name, sys.executable, "-m", "tests.distributed.run", "worker",
                          "--concurrency", str(concurrency))

    def scheduler(self, name: str) -> subprocess.Popen:
        return self.start(name, str(BIN / "diagflow"), "scheduler")

    def web(self, name: str) -> int:
        port = free_port()
        self.start(name, str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--threads", "4", "webui:create_app()")
        return port

    def kill(self, name: str) -> None:
        """SIGKILL: no clean-up, no acknowledgement, the database connection just drops."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self) -> str:
        tails = []
        for name in self.processes:
            text = (self.workdir / f"{name}.log").read_text(errors="replace").splitlines()[-25:]
            tails.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(tails)

    def wait(self, check: Callable[[], object], timeout: float, what: str) -> None:
        wait_until(check, timeout, what, self.logs)

    def close(self) -> None:
        """Kill what is left: a graceful stop would only wait for queued work the test is done with."""
        for name, process in self.processes.items():
            if process.poll() is None:
                self.kill(name)
        self.engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        unavailable("redis-server is not installed (Debian: apt-get install redis-server; or set "
                    "DIAGFLOW_TEST_REDIS_SERVER to its path) — the distributed tests start their own")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster(tmp_path: Path, redis_server: RedisServer) -> Iterator[Cluster]:
    for database_url in postgres_schema_url():
        cluster = Cluster(tmp_path, database_url, redis_server)
        try:
            yield cluster
        finally:
            cluster.close()
