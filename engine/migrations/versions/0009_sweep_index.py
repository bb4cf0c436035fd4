"""sweep index: instances (status, next_timer_at)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:00:00

The timer sweep asks for running instances whose timer is past due, earliest first. With only
single-column indexes SQLite chose the status index and sorted every running instance: 222 ms
to find 1,000 due among 100,000 waiting (bench/sweep.py, bench/RESULTS.md).
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_instances_status_timer', 'instances', ['status', 'next_timer_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_instances_status_timer', table_name='instances')
