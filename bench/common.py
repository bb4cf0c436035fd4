"""What every benchmark shares: the machine and its load, RESULTS.md, a populated product
database (SQLite file or a PostgreSQL database of its own, dropped afterwards), timing helpers.

Benchmarks are run by hand (`python -m bench.<name>`), never by pytest; they print their figures
and append them to bench/RESULTS.md with the machine, the date, the load and the exact command.
"""

from __future__ import annotations

import os
import platform
import shlex
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text

from engine.access import Actor
from engine.clock import SHANGHAI, MovableClock
from engine.identity import hash_password
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


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t:` … `t[0]` is the elapsed seconds afterwards."""
    elapsed = [0.0]
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - start


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
