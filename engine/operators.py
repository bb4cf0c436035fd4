"""The contract between the engine and `handlers/`: what a service-task operator receives.

Handlers that only write diagflow's own tables run inside the engine's transaction, with the
session of the unit of work, so their records commit or roll back with the instance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from . import outbox
from .access import Actor
from .clock import Clock
from .models import Instance


@dataclass
class HandlerContext:
    """Everything a handler may touch: the transaction, the instance row, the time, the caller."""

    session: Session
    instance: Instance
    element_id: str
    data: Mapping[str, Any]
    clock: Clock
    actor: Actor
    outbox: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    starter: Callable[[str, dict[str, Any], dict[str, Any]], int] | None = None

    def send_message(self, instance_id: int, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Deliver message `name` to another instance once this transaction has committed
        (each instance changes in a transaction of its own)."""
        self.outbox.append((instance_id, name, dict(payload or {})))

    def enqueue_effect(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Queue an outside effect (mail, webhook) in this transaction; it is delivered after
        the commit, by a worker in distributed mode (see engine/outbox.py)."""
        outbox.enqueue(self.session, self.clock, kind, dict(payload), instance_id=self.instance.id)

    def start_process(self, process_id: str, data: Mapping[str, Any] | None = None, **scope: Any) -> int:
        """Start the latest version of `process_id` in this transaction, with `data` as its
        start data and the scope given (`district`, `provider_org_id`, `enterprise_org_id`);
        its first steps run at once."""
        if self.starter is None:
            raise HandlerError("processes cannot be started from here")
        return self.starter(process_id, scope, dict(data or {}))


Operator = Callable[[HandlerContext, dict[str, Any]], dict[str, Any]]
OperatorRegistry = Mapping[str, Operator]

# A start rule may refuse to start a process (raise Forbidden or Conflict with the reason):
# a suspended provider filing a project, a campaign after the guideline has lapsed.
StartRule = Callable[[Session, Actor, Clock], None]
StartRules = Mapping[str, Sequence[StartRule]]


class HandlerError(Exception):
    """A handler refused or failed; the instance gets an incident naming the element."""
