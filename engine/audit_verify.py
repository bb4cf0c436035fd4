"""Check the audit chains: every changed, inserted or deleted event is found and named."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from .history import event_hash
from .models import AuditEvent, AuditHead


def verify(session: Session) -> list[str]:
    """Problems found in every chain, one plain line each for operators; [] when intact."""
    heads = {head.chain: head for head in session.scalars(select(AuditHead))}
    problems: list[str] = []
    chains = set(heads) | set(session.scalars(select(AuditEvent.chain).distinct()))
    for chain in sorted(chains):
        problems.extend(_verify_chain(session, chain, heads.get(chain)))
    return problems


def _verify_chain(session: Session, chain: str, head: AuditHead | None) -> Iterator[str]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()
    previous_hash, expected_seq = "", 1
    for event in events:
        if event.seq != expected_seq:
            kind = "deleted" if event.seq > expected_seq else "inserted (duplicate sequence number)"
            yield f"{chain}: event(s) {kind} before seq {event.seq} (expected seq {expected_seq}, row id {event.id})"
        if event.prev_hash != previous_hash:
            yield f"{chain}: seq {event.seq} (row id {event.id}) does not follow its predecessor: inserted or reordered"
        if event_hash(event) != event.hash:
            yield f"{chain}: seq {event.seq} (row id {event.id}, {event.action}) was changed after it was written"
        previous_hash, expected_seq = event.hash, event.seq + 1
    if head is None:
        yield f"{chain}: its head record is missing"
        return
    if head.seq != expected_seq - 1 or head.hash != previous_hash:
        yield f"{chain}: the newest event(s) after seq {expected_seq - 1} were deleted (head says seq {head.seq})"
