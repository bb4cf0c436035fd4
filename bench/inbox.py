"""Inbox latency: `GET /api/tasks` for a district user with 1k, 10k and 100k open tasks.

    .venv/bin/python -m bench.inbox [--levels 1000,10000,100000] [--requests 300] [--db sqlite,postgres]

One real diagnosis project is run to the district bureau's `review_filing` task (through the
engine's services); its instance row and task index row are then copied in bulk (fresh ids,
business keys and task uuids; created one minute apart) until the district user has each
level's number of open tasks. Every task in the database is that user's (the worst case for
counting and ordering). A real server (`diagflow serve`: waitress, 8 threads, embedded timer
sweep) runs in a subprocess; a keep-alive HTTP client in this process asks the user's first
page (`GET /api/tasks`, 50 items and the total) `--requests` times after 20 warm-up requests,
one request at a time. The same page through `TaskService.page` (what the API calls: the total
counted up to 1,000, "1000+") in this process is timed too, to tell the engine's share from
HTTP's, and beside it `TaskService.inbox`, which counts every task (as the API did before).
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
from engine.models import TaskIndexRow

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
                service_times, exact_times = [], []
                for _ in range(max(requests // 3, 20)):
                    began = time.perf_counter()
                    engine.tasks.page(actor)
                    service_times.append((time.perf_counter() - began) * 1000)
                    began = time.perf_counter()
                    engine.tasks.inbox(actor)
                    exact_times.append((time.perf_counter() - began) * 1000)
                result = {"db": kind, "level": level, "open": open_tasks, "load_s": loading[0],
                          "p50": percentile(http_times, 50), "p95": percentile(http_times, 95),
                          "p99": percentile(http_times, 99), "service_p50": percentile(service_times, 50),
                          "service_p95": percentile(service_times, 95), "exact_p50": percentile(exact_times, 50),
                          "exact_p95": percentile(exact_times, 95), "load": load_average()}
                print(f"  {level:>7} open tasks ({loading[0]:.1f} s to load): GET /api/tasks "
                      f"p50 {result['p50']:.1f} ms "
                      f"p95 {result['p95']:.1f} ms p99 {result['p99']:.1f} ms; TaskService.page p50 "
                      f"{result['service_p50']:.1f} ms p95 {result['service_p95']:.1f} ms; counting every task p50 "
                      f"{result['exact_p50']:.1f} ms p95 {result['exact_p95']:.1f} ms (load {result['load']})")
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
                 f"{r['service_p50']:.1f}", f"{r['service_p95']:.1f}", f"{r['exact_p50']:.1f}",
                 f"{r['exact_p95']:.1f}", r["load"]] for r in results]
        lines += table(["db", "open tasks", "HTTP p50 ms", "HTTP p95 ms", "HTTP p99 ms", "service p50 ms",
                        "service p95 ms", "count all p50 ms", "count all p95 ms", "load"], rows)
        first, last = results[0], results[-1]
        ratio = last["p95"] / first["p95"]
        lines += ["", f"{kind}: p95({last['open']}) / p95({first['open']}) = {ratio:.2f} (target ≤ 2: "
                      f"{'met' if ratio <= 2 else 'NOT met'}); p95 at {last['open']} = {last['p95']:.1f} ms "
                      f"(target ≤ 25 ms: {'met' if last['p95'] <= 25 else 'NOT met'}); p50 ratio "
                      f"{last['p50'] / first['p50']:.2f}; TaskService.page p50 ratio "
                      f"{last['service_p50'] / first['service_p50']:.2f}, counting every task "
                      f"{last['exact_p50'] / first['exact_p50']:.2f}", ""]
    print("\n" + "\n".join(lines))
    if not args.no_record:
        record(f"Inbox latency (real waitress server, keep-alive HTTP client), {args.requests} requests per level",
               lines, started_load)


if __name__ == "__main__":
    main()
