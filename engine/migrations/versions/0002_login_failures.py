"""login failures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:40:50.840945
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('locked_until', engine.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('username')
    )


def downgrade() -> None:
    op.drop_table('login_failures')
