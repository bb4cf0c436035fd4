"""process drafts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_drafts',
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('process_id')
    )


def downgrade() -> None:
    op.drop_table('process_drafts')
