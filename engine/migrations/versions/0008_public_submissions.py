"""public objection submissions (rate limit)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('public_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', engine.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_public_submissions_client', 'public_submissions', ['client_key', 'submitted_at'], unique=False)
    op.create_index(op.f('ix_public_submissions_submitted_at'), 'public_submissions', ['submitted_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_public_submissions_submitted_at'), table_name='public_submissions')
    op.drop_index('ix_public_submissions_client', table_name='public_submissions')
    op.drop_table('public_submissions')
