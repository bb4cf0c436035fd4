"""Peak memory of the web process serving inboxes and instance pages with 100k instances.

    .venv/bin/python -m bench.memory [--instances 100000] [--rounds 12] [--db sqlite]

One real diagnosis project is run to the district bureau's `review_filing` task; it is copied
in bulk (fresh ids, keys and task uuids) into `--instances` instances, spread over the 12
districts, each with its open task. A real server (`diagflow serve`: waitress, 8 threads,
embedded timer sweep) runs in a subprocess. Each round, every district bureau user (bearer
token for the API, a signed-in session for pages), the city bureau and the project's provider
ask: `GET /api/tasks` (first page and a page deep in the list), `GET /` (the inbox page),
`GET /instances` and three instance pages `GET /instances/<id>` plus `GET /api/instances/<id>`
and a task page `GET /tasks/<id>`. The server's peak resident memory is VmHWM of
/proc/<pid>/status (its VmRSS is sampled too).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from engine.clock import MovableClock
from engine.models import TaskIndexRow
from engine.roles import DISTRICTS

from .common import (
    PASSWORD,
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

TARGET_MB = 250


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def sign_in(client: Client, username: str) -> None:
    page = client.get("/login").decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    status, data, _ = client.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"sign-in of {username}: HTTP {status} {data[:200]!r}")


def measure(kind: str, count: int, rounds: int, workdir: Path) -> dict[str, object]:
    with database(kind, workdir) as url:
        engine = product_engine(url, MovableClock(START))
        people = populate(engine, enterprises=1)
        driver = ProductDriver(engine, people)
        project = driver.start("diagnosis_project", people.providers[0])
        driver.complete(project, "file_contract", constant(
            FILING | {"contract_no": "JNZD-2026-00000", "enterprise_id": people.enterprises[0].organisation_id}))
        driver.complete(project, "confirm_filing", constant({"enterprise_confirmed": True}))
        with engine.sessions() as session:
            base = session.scalar(select(TaskIndexRow.created_at).where(TaskIndexRow.instance_id == project))
        with stopwatch() as loading:
            ids = clone_instances(engine, project, count - 1, vary=lambda k: {
                "district": DISTRICTS[k % len(DISTRICTS)], "task_district": DISTRICTS[k % len(DISTRICTS)],
                "created_at": base + timedelta(minutes=k), "updated_at": base + timedelta(minutes=k),
                "task_created_at": base + timedelta(minutes=k)})
        print(f"{kind}: {count} instances loaded in {loading[0]:.1f} s (load {load_average()})")
        users = [*people.district_bureau.values(), people.city, people.providers[0]]
        with server(url, workdir) as (port, pid):
            started = memory_of(pid)
            clients = []
            for actor in users:
                api = Client(port, Client(port).token(actor.username))
                pages = Client(port)
                sign_in(pages, actor.username)
                clients.append((actor, api, pages))
            rng = random.Random(8)
            samples: list[float] = []
            times: dict[str, list[float]] = {}

            def get(client: Client, path: str, kind: str) -> bytes:
                began = time.perf_counter()
                body = client.get(path)
                times.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
                return body

            with stopwatch() as serving:
                for _ in range(rounds):
                    for _actor, api, pages in clients:
                        first = json.loads(get(api, "/api/tasks", "GET /api/tasks"))
                        deep = max(first["total"] - 50, 0)
                        get(api, f"/api/tasks?offset={rng.randrange(deep + 1)}", "GET /api/tasks?offset=(random)")
                        get(pages, "/", "GET / (inbox page)")
                        get(pages, "/instances", "GET /instances")
                        for item in first["items"][:3]:
                            get(pages, f"/instances/{item['instance_id']}", "GET /instances/<id>")
                            get(api, f"/api/instances/{item['instance_id']}", "GET /api/instances/<id>")
                        if first["items"]:
                            get(pages, f"/tasks/{first['items'][0]['id']}", "GET /tasks/<id>")
                    samples.append(memory_of(pid)["VmRSS"])
            requests = sum(len(values) for values in times.values())
            finished = memory_of(pid)
            for _, api, pages in clients:
                api.close()
                pages.close()
        engine.dispose()
    result = {"db": kind, "instances": len(ids) + 1, "requests": requests, "seconds": serving[0],
              "rss_start": started["VmRSS"], "rss_end": finished["VmRSS"], "rss_max_sampled": max(samples),
              "hwm": finished["VmHWM"], "load": load_average(),
              "latency": {kind: (percentile(values, 50), percentile(values, 95)) for kind, values in times.items()}}
    print(f"  {requests} requests in {serving[0]:.1f} s; RSS {started['VmRSS']:.0f} MB at start, "
          f"{finished['VmRSS']:.0f} MB at end; peak (VmHWM) {finished['VmHWM']:.0f} MB (load {result['load']})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=12, help="rounds of every user's requests")
    parser.add_argument("--db", default="sqlite", help="sqlite and/or postgres")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    started_load = load_average()
    results = []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with tempfile.TemporaryDirectory(prefix="diagflow-bench-") as workdir:
            results.append(measure(kind, args.instances, args.rounds, Path(workdir)))
    rows = [[r["db"], r["instances"], r["requests"], f"{r['seconds']:.1f}", f"{r['rss_start']:.0f}",
             f"{r['rss_end']:.0f}", f"{r['hwm']:.0f}",
             f"≤ {TARGET_MB}: {'met' if r['hwm'] <= TARGET_MB else 'NOT met'}", r["load"]] for r in results]
    lines = table(["db", "instances", "requests", "seconds", "RSS start MB", "RSS end MB", "peak (VmHWM) MB",
                   "target", "load"], rows)
    for r in results:
        lines += ["", f"{r['db']}: latency of what was asked (ms, with the load above)", ""]
        lines += table(["request", "p50 ms", "p95 ms"], [[kind, f"{p50:.1f}", f"{p95:.1f}"]
                                                        for kind, (p50, p95) in r["latency"].items()])
    print("\n" + "\n".join(lines))
    if not args.no_record:
        record("Peak memory of the web process (`diagflow serve`)", lines, started_load)


if __name__ == "__main__":
    main()
