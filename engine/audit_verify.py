"""Check the audit chains: every changed, inserted or deleted event is found and named."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from .history import anchor_hash, event_hash
from .models import AuditAnchor, AuditEvent, AuditHead, Instance


def verify(session: Session) -> list[str]:
    """Problems found in every chain, one plain line each for operators; [] when intact."""
    heads = {head.chain: head for head in session.scalars(select(AuditHead))}
    problems: list[str] = []
    chains = set(heads) | set(session.scalars(select(AuditEvent.chain).distinct()))
    for chain in sorted(chains):
        problems.extend(_verify_chain(session, chain, heads.get(chain)))
    problems.extend(_verify_anchors(session, chains))
    return problems


def _verify_anchors(session: Session, chains: set[str]) -> Iterator[str]:
    """Every chain is anchored, every anchor's chain still exists, and the anchors link up."""
    anchors = {row.chain: row for row in session.scalars(select(AuditAnchor).order_by(AuditAnchor.id))}
    firsts = dict(session.execute(select(AuditEvent.chain, AuditEvent.hash).where(AuditEvent.seq == 1)).all())
    for chain, row in anchors.items():
        if anchor_hash(row) != row.hash:
            yield f"{chain}: its anchor (row id {row.id}) was changed after it was written"
        if row.prev_chain and (row.prev_chain not in anchors or anchors[row.prev_chain].hash != row.prev_hash):
            yield (f"{row.prev_chain}: its anchor was deleted or changed (the anchor of {chain} links to it)"
                   f"{'; its whole history is gone' if row.prev_chain not in chains else ''}")
        if chain not in chains:
            yield f"{chain}: the whole chain was deleted (its anchor, row id {row.id}, remains)"
        elif chain in firsts and firsts[chain] != row.first_hash:
            yield f"{chain}: its first event is not the one anchored: the chain was replaced"
    for chain in sorted(chains - set(anchors)):
        yield f"{chain}: not anchored: the chain was inserted outside diagflow"
    for instance_id in session.scalars(select(Instance.id).order_by(Instance.id)):
        chain = f"instance:{instance_id}"
        if chain not in anchors and chain not in chains:
            yield f"{chain}: the instance has no audit history at all: its chain and anchor were deleted"


def newest_anchor(session: Session) -> AuditAnchor | None:
    """The newest anchor: note its hash outside the database to detect a truncated tail later."""
    return session.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))


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
