"""audit anchors: a chain of the audit chains, so a whole deleted chain is detected

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:40:00.000000

Existing chains are anchored in the order their first events were written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.history import anchor_hash
from engine.models import AuditAnchor

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    anchors = op.create_table('audit_anchors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('first_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_chain', sa.String(length=40), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chain')
    )
    events = sa.table('audit_events', sa.column('id'), sa.column('chain'), sa.column('seq'), sa.column('hash'))
    firsts = op.get_bind().execute(sa.select(events.c.chain, events.c.hash).where(events.c.seq == 1)
                                   .order_by(events.c.id)).all()
    rows, previous = [], AuditAnchor(chain="", hash="")
    for chain, first_hash in firsts:
        row = AuditAnchor(chain=chain, first_hash=first_hash, prev_chain=previous.chain, prev_hash=previous.hash)
        row.hash = anchor_hash(row)
        rows.append({"chain": chain, "first_hash": first_hash, "prev_chain": row.prev_chain,
                     "prev_hash": row.prev_hash, "hash": row.hash})
        previous = row
    if rows:
        op.bulk_insert(anchors, rows)


def downgrade() -> None:
    op.drop_table('audit_anchors')
