"""What every benchmark shares: the machine and its load, RESULTS.md, a populated product
database (SQLite file or a PostgreSQL database of its own, dropped afterwards), timing helpers.

Benchmarks are run by hand (`python -m bench.<name>`), never by pytest; they print their figures
and append them to bench/RESULTS.md with the machine, the date, the load and the exact command.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import shlex
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, make_url, select, text

from engine.access import Actor
from engine.clock import SHANGHAI, MovableClock
from engine.history import chain_of
from engine.identity import hash_password
from engine.models import AuditHead, Instance, TaskIndexRow
from engine.records.campaigns import OPEN, Campaign, DistrictQuota
from engine.records.providers import LISTED, ProviderBatch, ProviderListing
from engine.reference_data import seed_reference_data
from engine.roles import DISTRICTS
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES
from webui.simulation import _credit_code

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
POSTGRES_URL = os.environ.get("DIAGFLOW_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday inside the campaign's window
PASSWORD = "bench-only-2026"  # noqa: S105 - users of a throw-away database
EXPERTS = 5


# --------------------------------------------------------------------------
# The machine, its load, RESULTS.md
# --------------------------------------------------------------------------


def load_average() -> str:
    """`uptime`'s three load averages (other people's work on the same cores inflates times)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def postgres_version() -> str:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            version = connection.scalar(text("SHOW server_version"))
        engine.dispose()
        return f"PostgreSQL {version}"
    except Exception as exc:  # noqa: BLE001 - only for the record
        return f"PostgreSQL unreachable ({exc.__class__.__name__})"


def machine() -> str:
    import SpiffWorkflow
    import sqlalchemy

    spiff = getattr(SpiffWorkflow, "__version__", None)
    if spiff is None:
        from importlib.metadata import version

        spiff = version("SpiffWorkflow")
    return (
        f"{cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"{postgres_version()}; SpiffWorkflow {spiff}; SQLAlchemy {sqlalchemy.__version__}"
    )


def command() -> str:
    return " ".join([".venv/bin/python", "-m", _module_name(), *map(shlex.quote, sys.argv[1:])])


def _module_name() -> str:
    path = Path(sys.argv[0]).resolve()
    try:
        return ".".join(path.relative_to(ROOT).with_suffix("").parts)
    except ValueError:
        return str(path)


def record(title: str, lines: list[str], started_load: str) -> None:
    """Append one run to RESULTS.md: when, the machine, the load, the command and the figures."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = [
        f"### {title} — {now}",
        "",
        f"- machine: {machine()}",
        f"- load average (1/5/15 min): {started_load} at start, {load_average()} at end",
        f"- command: `{command()}`",
        "",
        *lines,
        "",
    ]
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(block) + "\n")
    print(f"\nappended to {RESULTS.relative_to(ROOT)}")


def table(header: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table (printed and recorded as it is)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on sorted values; p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def start_profiler():  # noqa: ANN201 - a running pyinstrument Profiler
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    return profiler


def save_profile(profiler: Any, name: str) -> Path:
    """Stop the profiler; write its HTML and text reports to /tmp; return the HTML's path."""
    profiler.stop()
    path = Path(tempfile.gettempdir()) / f"diagflow-profile-{name}.html"
    path.write_text(profiler.output_html())
    path.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"  profile: {path} (and .txt)")
    return path


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t:` … afterwards `t[0]` is the elapsed (wall) seconds and `t[1]` the
    CPU seconds this process used (other people's load inflates the first, hardly the second)."""
    elapsed = [0.0, 0.0]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield elapsed
    finally:
        elapsed[0], elapsed[1] = time.perf_counter() - start, time.process_time() - cpu


# --------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------


@contextmanager
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own for one benchmark, dropped afterwards."""
    name = f"diagflow_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """The URL of a fresh database: `sqlite` (a file in workdir) or `postgres` (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
    elif kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}")


# --------------------------------------------------------------------------
# A populated product: users of every role, providers, enterprises, an open campaign
# --------------------------------------------------------------------------


@dataclass
class Population:
    """The actors of a benchmark, by role and scope (district or organisation)."""

    city: Actor
    city_finance: Actor
    district_bureau: dict[str, Actor] = field(default_factory=dict)
    district_finance: dict[str, Actor] = field(default_factory=dict)
    experts: dict[int, Actor] = field(default_factory=dict)
    providers: list[Actor] = field(default_factory=list)
    enterprises: list[Actor] = field(default_factory=list)
    by_id: dict[int, Actor] = field(default_factory=dict)

    def acting(self, role: str, district: str | None, organisation_id: int | None, assignee: int | None) -> Actor:
        """Who does a task of `role` in this scope (the assignee, when the task has one)."""
        if assignee is not None:
            return self.by_id[assignee]
        if role == "city_bureau":
            return self.city
        if role == "city_finance":
            return self.city_finance
        if role == "district_bureau":
            return self.district_bureau[district or ""]
        if role == "district_finance":
            return self.district_finance[district or ""]
        for actor in (*self.providers, *self.enterprises):
            if actor.role == role and actor.organisation_id == organisation_id:
                return actor
        raise LookupError(f"nobody acts as {role} for {district or organisation_id}")


def product_engine(url: str, clock: MovableClock | None = None) -> ProcessEngine:
    """A ProcessEngine with the schema, every model of processes/ and the reference data."""
    engine = ProcessEngine(url, OPERATORS, clock=clock or MovableClock(START), start_rules=START_RULES)
    engine.create_schema()
    for folder in sorted(p for p in PROCESSES.iterdir() if p.is_dir() and any(p.glob("*.bpmn"))):
        engine.repository.deploy_folder(folder, "bench")
    seed_reference_data(engine)
    return engine


def populate(engine: ProcessEngine, enterprises: int, providers: int = 4) -> Population:
    """Users of every role (one bureau and one finance user per district, five experts),
    listed providers, `enterprises` enterprises spread over the districts, and an open
    campaign for March 2026 whose quotas hold every enterprise."""
    shared = hash_password(PASSWORD)
    identity = engine.identity

    def user(username: str, role: str, district: str | None = None, org: int | None = None) -> Actor:
        user_id = identity.ensure_user(username, PASSWORD, username, role, district=district, organisation_id=org,
                                       password_hash=shared)
        actor = Actor(user_id, username, role, district, org, username)
        population.by_id[user_id] = actor
        return actor

    population = Population(city=Actor(None, "", "city_bureau"), city_finance=Actor(None, "", "city_finance"))
    population.city = user("bench_city", "city_bureau")
    population.city_finance = user("bench_city_finance", "city_finance")
    for index, district in enumerate(DISTRICTS):
        population.district_bureau[district] = user(f"bench_bureau_{index}", "district_bureau", district)
        population.district_finance[district] = user(f"bench_finance_{index}", "district_finance", district)
    for n in range(1, EXPERTS + 1):
        population.experts[n] = user(f"bench_expert_{n}", "expert")
    for n in range(1, providers + 1):
        district = DISTRICTS[n % len(DISTRICTS)]
        org = identity.ensure_organisation(f"基准服务商{n:02d}", "provider", _credit_code(n), district)
        population.providers.append(user(f"bench_provider_{n}", "provider", org=org))
    quotas: dict[str, int] = {}
    for n in range(enterprises):
        district = DISTRICTS[n % len(DISTRICTS)]
        org = identity.ensure_organisation(f"基准企业{n:05d}", "enterprise", _credit_code(10_000 + n), district)
        population.enterprises.append(user(f"bench_enterprise_{n}", "enterprise", org=org))
        quotas[district] = quotas.get(district, 0) + 1
    now = engine.clock.now()
    with engine.sessions.begin() as session:
        batch = ProviderBatch(name="基准批次", published_at=now)
        session.add(batch)
        session.flush()
        session.add_all(ProviderListing(organisation_id=p.organisation_id, status=LISTED, batch_id=batch.id,
                                        updated_at=now) for p in population.providers)
        for campaign in session.scalars(select(Campaign).where(Campaign.status == OPEN)):
            campaign.status = "closed"
        campaign = Campaign(year=2026, title="2026年度数字化转型诊断工作（基准）", window_start="2026-03-01",
                            window_end="2026-03-31", requirements="", status=OPEN, published_at=now)
        session.add(campaign)
        session.flush()
        session.add_all(DistrictQuota(campaign_id=campaign.id, district=d, quota=q) for d, q in quotas.items())
    return population


# --------------------------------------------------------------------------
# Many instances from one real one
# --------------------------------------------------------------------------

BATCH = 2000


def clone_instances(
    engine: ProcessEngine,
    template_id: int,
    count: int,
    vary: Callable[[int], dict[str, Any]] | None = None,
    replace: Callable[[int], dict[str, str]] | None = None,
) -> list[int]:
    """Insert `count` copies of a real instance row and its task index rows, in bulk.

    Each copy gets its own id and business key, fresh uuids for its ready tasks (in the
    serialized workflow and in the index, so pages and completions find them) and the head of
    its audit chain (a copy of the template's, so appending works as on a real instance; its
    events are not copied, so `diagflow audit verify` would object); `vary(k)` gives
    column values of copy k (instance columns, or `task_<column>` for its index rows), and
    `replace(k)` strings to substitute in its serialized workflow (e.g. a timer's due time)."""
    instances, tasks, heads = Instance.__table__, TaskIndexRow.__table__, AuditHead.__table__
    with engine.db.connect() as connection:
        template = dict(connection.execute(select(instances).where(instances.c.id == template_id)).mappings().one())
        task_rows = [dict(row) for row in connection.execute(
            select(tasks).where(tasks.c.instance_id == template_id)).mappings()]
        head = connection.execute(select(heads).where(heads.c.chain == chain_of(template_id))).mappings().one()
        first = (connection.scalar(select(func.max(instances.c.id))) or 0) + 1
    year = template["business_key"].split("-", 1)[0]
    ids: list[int] = []
    for start in range(0, count, BATCH):
        instance_batch, task_batch, head_batch = [], [], []
        for k in range(start, min(start + BATCH, count)):
            instance_id = first + k
            changes = vary(k) if vary else {}
            serialized = template["serialized"]
            for old, new in (replace(k) if replace else {}).items():
                serialized = serialized.replace(old, new)
            row = template | {"id": instance_id, "business_key": f"{year}-{instance_id:06d}", "lock_version": 1}
            row |= {key: value for key, value in changes.items() if not key.startswith("task_")}
            for task in task_rows:
                uuid_new = str(uuid.uuid4())
                serialized = serialized.replace(task["task_uuid"], uuid_new)
                task_batch.append(task | {"task_uuid": uuid_new, "instance_id": instance_id} | {
                    key.removeprefix("task_"): value for key, value in changes.items() if key.startswith("task_")})
            row["serialized"] = serialized
            instance_batch.append(row)
            head_batch.append(dict(head) | {"chain": chain_of(instance_id)})
            ids.append(instance_id)
        with engine.db.begin() as connection:
            connection.execute(insert(instances), instance_batch)
            connection.execute(insert(heads), head_batch)
            if task_batch:
                connection.execute(insert(tasks), task_batch)
    if engine.db.dialect.name == "postgresql":  # what autovacuum would do soon after a bulk load
        with engine.db.begin() as connection:
            connection.execute(text("ANALYZE instances"))
            connection.execute(text("ANALYZE task_index"))
    return ids  # SQLite: no ANALYZE, as the product never runs it


# --------------------------------------------------------------------------
# A real server: `diagflow serve` (waitress, 8 threads, embedded scheduler) in a subprocess
# --------------------------------------------------------------------------

SECRET = "bench-secret-not-for-production"  # noqa: S105 - signs the tokens of a throw-away server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(url: str, workdir: Path) -> Iterator[tuple[int, int]]:
    """Run `diagflow serve` on `url`; yields (port, pid) once /healthz answers."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": SECRET, "PORT": str(port)}
    log = (workdir / f"server-{port}.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(ROOT / ".venv" / "bin" / "diagflow"), "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                Client(port).get("/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {log.name}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Client:
    """A keep-alive HTTP/1.1 client (the standard library's), as a browser or script would be."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.cookie: str | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        all_headers = self.headers | (headers or {})
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        self.connection.request(method, path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data, response

    def get(self, path: str) -> bytes:
        status, data, _ = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status} {data[:200]!r}")
        return data

    def token(self, username: str, password: str = PASSWORD) -> str:
        body = json.dumps({"username": username, "password": password}).encode()
        status, data, _ = self.request("POST", "/api/auth/token", body, {"Content-Type": "application/json"})
        if status != 200:
            raise RuntimeError(f"token for {username}: HTTP {status} {data[:200]!r}")
        return json.loads(data)["token"]

    def close(self) -> None:
        self.connection.close()
