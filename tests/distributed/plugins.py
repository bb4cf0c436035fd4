"""Operators, effects and models the distributed tests need inside real worker processes.

`python -m tests.distributed.run worker …` registers the operators and runs the real
`diagflow` command, so workers run the product's code plus these. Files in DIAGFLOW_TEST_DIR
let the test see where a worker is and tell it when to go on.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from engine.outbox import effect
from engine.services import ProcessEngine
from tests.modelkit import linear_model, note_form, service_task, timer, user_task

HOLD_LIMIT_SECONDS = 120

WAIT = linear_model("dist_wait", "city_bureau", [timer("wait", '"PT60S"', kind="timeDuration")])
HOLD = linear_model("dist_hold", "city_bureau", [
    timer("wait", '"PT60S"', kind="timeDuration"),
    service_task("hold", "test.hold", "held"),
    service_task("effect", "test.queue_effect", "queued"),
    user_task("check", "核对", "note"),
])
EFFECT = linear_model("dist_effect", "city_bureau", [
    service_task("effect", "test.queue_effect", "queued"),
    timer("wait", '"PT60S"', kind="timeDuration"),
])
REVIEW = linear_model("dist_review", "city_bureau", [user_task("review", "审核", "note")])
MODELS = {name: {f"{name}.bpmn": xml, "forms/note.schema.json": note_form()}
          for name, xml in {"dist_wait": WAIT, "dist_hold": HOLD, "dist_effect": EFFECT, "dist_review": REVIEW}.items()}


def workdir() -> Path:
    return Path(os.environ["DIAGFLOW_TEST_DIR"])


def hold(marker: str, release: str) -> None:
    """Say where this process is, then wait until the test releases it (or give up loudly)."""
    (workdir() / f"{marker}-{os.getpid()}").touch()
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while not (workdir() / release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release} was never released")
        time.sleep(0.05)


def hold_operator(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN401 - HandlerContext
    hold(f"operator-{ctx.instance.id}", "release-operator")
    return {"held": True}


def queue_effect(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN401 - HandlerContext
    ctx.enqueue_effect("test.append", {"instance": ctx.instance.id, "hold": ctx.instance.process_id == "dist_hold"})
    return {"queued": True}


@effect("test.append")
def append_line(payload: dict[str, Any], engine: ProcessEngine) -> None:
    """The outside world: one line per delivery in effects.log (appends are atomic)."""
    if payload["hold"]:
        hold(f"effect-{payload['instance']}", "release-effect")
    with open(workdir() / "effects.log", "a", encoding="utf-8") as log:
        log.write(f"{payload['instance']}\n")


TEST_OPERATORS = {"test.hold": hold_operator, "test.queue_effect": queue_effect}
