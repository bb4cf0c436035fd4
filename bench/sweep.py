"""Timer sweep: 100k waiting instances, 1k of them due — find them, fire them, and the lag.

    .venv/bin/python -m bench.sweep [--waiting 100000] [--due 1000] [--db sqlite,postgres]

The template is the real `guideline_validity` instance the set-up registers (第十九条): it waits
at its "90 days before expiry" timer, whose firing runs the `guideline.remind` operator (a
notification for the city bureau) and then waits at the next timer. It is copied in bulk
(fresh ids and business keys); in each copy the timer's due time is rewritten, in the serialized
workflow and in `next_timer_at` alike: `--due` copies fell due during the second before the sweep
starts (one every `1 s / due`), the others are due hours to months later.

Measured, in this process with the engine's services, on a clock that runs at wall-clock speed:
- find: `TimerService.due(limit=due)` (median and worst of 20 calls), with the query plan;
- fire: the embedded scheduler's `drain_timers` (batches of 100 while a batch comes back full,
  at most 5 s per run) run after run until nothing is due; timers per second;
- lag: fire time minus due time, from the `timer_fired` audit events (`lag_seconds`);
- timers per CPU second: fired ÷ CPU time of this process while firing (all the work on SQLite;
  on PostgreSQL the server's CPU is not in it). On a shared, loaded machine it says what the
  code costs; the wall-clock rate says what the machine gave.
The embedded scheduler runs every DIAGFLOW_TIMER_SWEEP_SECONDS (10 s); here the runs follow each
other at once, so the lag it would give when one run does not drain the backlog is computed, not
waited for.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from engine.clock import SHANGHAI, Clock
from engine.models import AuditEvent, Instance
from webui.scheduler import EMBEDDED_BATCH, EMBEDDED_DRAIN_SECONDS, drain_timers

from .common import (
    START,
    clone_instances,
    database,
    load_average,
    median,
    percentile,
    product_engine,
    record,
    save_profile,
    start_profiler,
    stopwatch,
    table,
)

SWEEP_SECONDS = 10  # the embedded scheduler's default interval


class RunningClock(Clock):
    """Wall-clock speed, set to any moment (the engine's Clock otherwise)."""

    def __init__(self, moment: datetime) -> None:
        self.offset = timedelta(0)
        self.set(moment)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


def measure(kind: str, waiting: int, due: int, workdir: Path, profile: bool = False) -> dict[str, Any]:
    clock = RunningClock(START)
    with database(kind, workdir) as url:
        engine = product_engine(url, clock)
        with engine.sessions() as session:
            template = session.scalar(select(Instance).where(Instance.process_id == "guideline_validity"))
        original = template.next_timer_at
        original_text = original.astimezone(SHANGHAI).isoformat()
        if original_text not in template.serialized:
            raise RuntimeError(f"the template's due time {original_text} is not in its serialized workflow")
        sweep_at = original + timedelta(days=1)  # any moment; the copies' due times are set around it

        def due_time(k: int) -> datetime:
            if k < due:  # fell due in the second before the sweep starts
                return sweep_at - timedelta(microseconds=(due - k) * 1_000_000 // due)
            return sweep_at + timedelta(hours=1, minutes=(k - due) % 200_000)

        with stopwatch() as loading:
            clone_instances(engine, template.id, waiting, vary=lambda k: {"next_timer_at": due_time(k)},
                            replace=lambda k: {original_text: due_time(k).astimezone(SHANGHAI).isoformat()})
        with engine.sessions.begin() as session:  # the template itself is not one of the due ones
            session.get(Instance, template.id).next_timer_at = sweep_at + timedelta(days=400)
        print(f"{kind}: {waiting} waiting instances loaded in {loading[0]:.1f} s (load {load_average()})")

        clock.set(sweep_at)
        finds = []
        for _ in range(20):
            with stopwatch() as finding:
                found = engine.timers.due(limit=due)
            finds.append(finding[0] * 1000)
        if len(found) != due:
            raise RuntimeError(f"due() found {len(found)} instances, expected {due}")
        plan = explain(engine, sweep_at, due)

        clock.set(sweep_at)
        fired = runs = 0
        profiler = start_profiler() if profile else None
        with stopwatch() as firing:
            while advanced := drain_timers(engine):
                fired += advanced
                runs += 1
        if profiler is not None:
            save_profile(profiler, f"sweep-{kind}")
        with engine.sessions() as session:
            lags = [event.details["lag_seconds"] for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "timer_fired", AuditEvent.instance_id != template.id))]
            errors = session.scalar(select(text("count(*)")).select_from(Instance).where(Instance.status == "error"))
        engine.dispose()
    if fired != due or len(lags) != due or errors:
        raise RuntimeError(f"{kind}: fired {fired}, {len(lags)} timer_fired events, {errors} incidents; expected {due}")
    rate = fired / firing[0]
    result = {"db": kind, "waiting": waiting, "due": due, "find_p50": median(finds), "find_max": max(finds),
              "fire_s": firing[0], "runs": runs, "rate": rate, "cpu_s": firing[1], "cpu_rate": fired / firing[1],
              "lag_p50": percentile(lags, 50), "lag_max": max(lags),
              "plan": plan, "load": load_average()}
    print(f"  find {due} due among {waiting}: median {result['find_p50']:.1f} ms, worst {result['find_max']:.1f} ms")
    print(f"  fire: {fired} in {firing[0]:.2f} s = {rate:.0f} timers/s ({firing[1]:.2f} CPU s in this process = "
          f"{result['cpu_rate']:.0f} timers per CPU second); lag median {result['lag_p50']:.2f} s, "
          f"max {result['lag_max']:.2f} s (load {result['load']})")
    print(f"  plan: {plan}")
    return result


def explain(engine: Any, now: datetime, limit: int) -> str:
    """The database's plan for the query `TimerService.due` runs."""
    with engine.db.connect() as connection:
        if engine.db.dialect.name == "postgresql":
            rows = connection.execute(text(
                "EXPLAIN SELECT id FROM instances WHERE next_timer_at < :now AND status = 'running' "
                "ORDER BY next_timer_at LIMIT :limit"), {"now": now.replace(tzinfo=None), "limit": limit})
            return " / ".join(row[0].strip() for row in rows)
        rows = connection.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM instances WHERE next_timer_at < :now AND status = 'running' "
            "ORDER BY next_timer_at LIMIT :limit"), {"now": now.replace(tzinfo=None).isoformat(" "), "limit": limit})
        return " / ".join(row[-1] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=100_000, help="waiting instances (copies)")
    parser.add_argument("--due", type=int, default=1000, help="how many of them are due")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--profile", action="store_true", help="profile the firing with pyinstrument (HTML in /tmp)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    started_load = load_average()
    results = []
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        with tempfile.TemporaryDirectory(prefix="diagflow-bench-") as workdir:
            results.append(measure(kind, args.waiting, args.due, Path(workdir), args.profile))
    rows = [[r["db"], r["waiting"], r["due"], f"{r['find_p50']:.1f}", f"{r['find_max']:.1f}", f"{r['fire_s']:.2f}",
             f"{r['rate']:.0f}", f"{r['cpu_rate']:.0f}", f"{r['lag_p50']:.2f}", f"{r['lag_max']:.2f}", r["load"]]
            for r in results]
    lines = table(["db", "waiting", "due", "find median ms", "find worst ms", "fire s", "timers/s",
                   "timers per CPU s", "lag median s", "lag max s", "load"], rows)
    lines.append("")
    for r in results:
        lines.append(f"- {r['db']}: find ≤ 50 ms: {'met' if r['find_p50'] <= 50 else 'NOT met'}; "
                     f"fire ≥ 200 timers/s: {'met' if r['rate'] >= 200 else 'NOT met'}; plan: `{r['plan']}`")
        waits = (r["runs"] - 1) * (SWEEP_SECONDS - EMBEDDED_DRAIN_SECONDS)
        lines.append(f"  - embedded scheduler (batches of {EMBEDDED_BATCH}, at most {EMBEDDED_DRAIN_SECONDS:.0f} s "
                     f"per run, a run every {SWEEP_SECONDS} s): {r['due']} due timers took {r['runs']} run(s); "
                     f"the last fires ≈ {r['fire_s'] + max(waits, 0):.0f} s after the first (plus up to "
                     f"{SWEEP_SECONDS} s until the first run)")
    print("\n" + "\n".join(lines))
    if not args.no_record:
        record(f"Timer sweep, {args.due} due among {args.waiting} waiting", lines, started_load)


if __name__ == "__main__":
    time.tzset()
    main()
