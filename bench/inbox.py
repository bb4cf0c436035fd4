"""Inbox latency: `GET /api/tasks` for a district user with 1k, 10k and 100k open tasks.

    .venv/bin/python -m bench.inbox [--levels 1000,10000,100000] [--requests 300] [--db sqlite,postgres]

One real diagnosis project is run to the district bureau's `review_filing` task (through the
engine's services); its instance row and task index row are then copied in bulk (fresh ids,
business keys and task uuids; created one minute apart) until the district user has each
level's number of open tasks. Every task in the database is that user's (the worst case for
counting and ordering). A real server (`diagflow serve`: waitress, 8 threads, embedded timer
sweep) runs in a subprocess; a keep-alive HTTP client in this process asks the user's first
page (`GET /api/tasks`, 50 items and the total) `--requests` times after 20 warm-up requests,
one request at a time. The same query through `TaskService.inbox` in this process is timed
too, to tell the engine's share from HTTP's, and beside it a proposal (`capped_inbox`): the
same page with the total counted only up to 1,000 ("1000+").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.clock import MovableClock
from engine.models import Instance, TaskIndexRow
from engine.tasks import inbox_filter

from .common import (
    START,
    Client,
    clone_instances,
    database,
    load_average,
    percentile,
    populate,
    product_engine,
    record,
    server,
    stopwatch,
    table,
)
from .lifecycle import FILING, ProductDriver, constant

WARM_UP = 20
CAP = 1000


def capped_inbox(engine: Any, actor: Any, cap: int = CAP) -> tuple[list[Any], int]:
    """A proposal, measured beside the product: the default inbox page (the same filter and
    order as `TaskService.inbox`), but counting at most `cap` + 1 rows ("1000+"), so its cost
    no longer grows with the number of open tasks."""
    where = inbox_filter(actor)
    with engine.sessions() as session:
        total = session.scalar(select(func.count()).select_from(
            select(TaskIndexRow.task_uuid).where(where).limit(cap + 1).subquery())) or 0
        rows = session.execute(
            select(TaskIndexRow, Instance.business_key)
            .join(Instance, Instance.id == TaskIndexRow.instance_id)
            .where(where)
            .order_by(TaskIndexRow.created_at, TaskIndexRow.task_uuid)
            .limit(50)
        ).all()
    return rows, total


def measure(kind: str, levels: list[int], requests: int, workdir: Path) -> list[dict[str, Any]]:
    results = []
    with database(kind, workdir) as url:
        engine = product_engine(url, MovableClock(START))
        people = populate(engine, enterprises=1)
        driver = ProductDriver(engine, people)
        project = driver.start("diagnosis_project", people.providers[0])
        driver.complete(project, "file_contract", constant(
            FILING | {"contract_no": "JNZD-2026-00000", "enterprise_id": people.enterprises[0].organisation_id}))
        driver.complete(project, "confirm_filing", constant({"enterprise_confirmed": True}))
        with engine.sessions() as session:
            row = session.scalar(select(TaskIndexRow).where(TaskIndexRow.instance_id == project))
        actor = people.district_bureau[row.district]
        base = row.created_at
        print(f"{kind}: template instance {project} ({row.bpmn_id}, {row.district}), user {actor.username}")
        with server(url, workdir) as (port, _pid):
            token = Client(port).token(actor.username)
            client = Client(port, token)
            have = 1
            for level in levels:
                with stopwatch() as loading:
                    clone_instances(engine, project, level - have, vary=lambda k, h=have: {
                        "created_at": base + timedelta(minutes=h + k), "updated_at": base + timedelta(minutes=h + k),
                        "task_created_at": base + timedelta(minutes=h + k)})
                have = level
                with engine.sessions() as session:
                    open_tasks = session.scalar(select(func.count()).select_from(TaskIndexRow)
                                                .where(TaskIndexRow.role == actor.role,
                                                       TaskIndexRow.district == actor.district))
                for _ in range(WARM_UP):
                    client.get("/api/tasks")
                http_times = []
                for _ in range(requests):
                    began = time.perf_counter()
                    client.get("/api/tasks")
                    http_times.append((time.perf_counter() - began) * 1000)
                service_times, capped_times = [], []
                for _ in range(max(requests // 3, 20)):
                    began = time.perf_counter()
                    engine.tasks.inbox(actor)
                    service_times.append((time.perf_counter() - began) * 1000)
                    began = time.perf_counter()
                    capped_inbox(engine, actor)
                    capped_times.append((time.perf_counter() - began) * 1000)
                result = {"db": kind, "level": level, "open": open_tasks, "load_s": loading[0],
                          "p50": percentile(http_times, 50), "p95": percentile(http_times, 95),
                          "p99": percentile(http_times, 99), "service_p50": percentile(service_times, 50),
                          "service_p95": percentile(service_times, 95), "capped_p50": percentile(capped_times, 50),
                          "capped_p95": percentile(capped_times, 95), "load": load_average()}
                print(f"  {level:>7} open tasks ({loading[0]:.1f} s to load): GET /api/tasks "
                      f"p50 {result['p50']:.1f} ms "
                      f"p95 {result['p95']:.1f} ms p99 {result['p99']:.1f} ms; TaskService.inbox p50 "
                      f"{result['service_p50']:.1f} ms p95 {result['service_p95']:.1f} ms; with the count capped p50 "
                      f"{result['capped_p50']:.1f} ms p95 {result['capped_p95']:.1f} ms (load {result['load']})")
                results.append(result)
            client.close()
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1000,10000,100000", help="open tasks of the user, ascending")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per level")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    levels = sorted(int(level) for level in args.levels.split(","))
    started_load = load_average()
    lines: list[str] = []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with tempfile.TemporaryDirectory(prefix="diagflow-bench-") as workdir:
            results = measure(kind, levels, args.requests, Path(workdir))
        rows = [[r["db"], r["open"], f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}",
                 f"{r['service_p50']:.1f}", f"{r['service_p95']:.1f}", f"{r['capped_p50']:.1f}",
                 f"{r['capped_p95']:.1f}", r["load"]] for r in results]
        lines += table(["db", "open tasks", "HTTP p50 ms", "HTTP p95 ms", "HTTP p99 ms", "service p50 ms",
                        "service p95 ms", f"count ≤ {CAP} p50 ms", f"count ≤ {CAP} p95 ms", "load"], rows)
        first, last = results[0], results[-1]
        ratio = last["p95"] / first["p95"]
        lines += ["", f"{kind}: p95({last['open']}) / p95({first['open']}) = {ratio:.2f} (target ≤ 2: "
                      f"{'met' if ratio <= 2 else 'NOT met'}); p95 at {last['open']} = {last['p95']:.1f} ms "
                      f"(target ≤ 25 ms: {'met' if last['p95'] <= 25 else 'NOT met'}); p50 ratio "
                      f"{last['p50'] / first['p50']:.2f}; TaskService.inbox p50 ratio "
                      f"{last['service_p50'] / first['service_p50']:.2f}, with the count capped "
                      f"{last['capped_p50'] / first['capped_p50']:.2f}", ""]
    print("\n" + "\n".join(lines))
    if not args.no_record:
        record(f"Inbox latency (real waitress server, keep-alive HTTP client), {args.requests} requests per level",
               lines, started_load)


if __name__ == "__main__":
    main()
