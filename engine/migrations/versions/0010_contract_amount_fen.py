"""money in integer fen: filings' contract amount, announcements' items

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 14:20:00

Money is integer fen everywhere; the filing's contract amount was the last float column (yuan) and
a published announcement's items held `amount_yuan`. Existing amounts are converted (rounded to
the fen): the float column is dropped, each item gets `amount_fen` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

ANNOUNCEMENTS = sa.table('announcements', sa.column('id', sa.Integer()), sa.column('items', sa.JSON()))

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('filings') as batch:
        batch.add_column(sa.Column('contract_amount_fen', sa.Integer(), nullable=True))
    op.execute('UPDATE filings SET contract_amount_fen = CAST(ROUND(contract_amount * 100) AS INTEGER)')
    with op.batch_alter_table('filings') as batch:
        batch.alter_column('contract_amount_fen', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('contract_amount')
    _convert_items('amount_yuan', 'amount_fen', lambda yuan: round(Decimal(str(yuan)) * 100))


def downgrade() -> None:
    _convert_items('amount_fen', 'amount_yuan', lambda fen: float(Decimal(fen) / 100))
    with op.batch_alter_table('filings') as batch:
        batch.add_column(sa.Column('contract_amount', sa.Double(), nullable=True))
    op.execute('UPDATE filings SET contract_amount = contract_amount_fen / 100.0')
    with op.batch_alter_table('filings') as batch:
        batch.alter_column('contract_amount', existing_type=sa.Double(), nullable=False)
        batch.drop_column('contract_amount_fen')


def _convert_items(old: str, new: str, convert: Callable[[Any], Any]) -> None:
    connection = op.get_bind()
    for announcement_id, items in connection.execute(sa.select(ANNOUNCEMENTS.c.id, ANNOUNCEMENTS.c['items'])).all():
        changed = [{**{k: v for k, v in item.items() if k != old}, new: convert(item[old])} if old in item else item
                   for item in items or []]
        connection.execute(ANNOUNCEMENTS.update().where(ANNOUNCEMENTS.c.id == announcement_id).values(items=changed))
