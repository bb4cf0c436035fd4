"""outbox and scheduler leader

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('available_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_outbox_instance_id', 'outbox', ['instance_id'], unique=False)
    op.create_index('ix_outbox_status_available', 'outbox', ['status', 'available_at'], unique=False)
    op.create_table('scheduler_leader',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('heartbeat_at', engine.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('scheduler_leader')
    op.drop_index('ix_outbox_status_available', table_name='outbox')
    op.drop_index('ix_outbox_instance_id', table_name='outbox')
    op.drop_table('outbox')
