"""inbox priority and indexes, drafts, saved filters, handovers, notification reads, task history, user e-mail

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_task_index_role_created', ['role', 'created_at'], unique=False)
        batch_op.create_index('ix_task_index_role_district_created', ['role', 'district', 'created_at', 'task_uuid'],
                              unique=False)
        batch_op.create_index('ix_task_index_role_org_created', ['role', 'organisation_id', 'created_at', 'task_uuid'],
                              unique=False)
        batch_op.create_index('ix_task_index_role_district_due',
                              ['role', 'district', 'due_at', 'created_at', 'task_uuid'], unique=False)
    op.create_table('task_drafts',
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('task_uuid', 'user_id')
    )
    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'name')
    )
    with op.batch_alter_table('saved_filters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filters_user_id'), ['user_id'], unique=False)
    op.create_table('task_handovers',
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('previous_assignee_id', sa.Integer(), nullable=True),
    sa.Column('at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['previous_assignee_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('task_uuid')
    )
    with op.batch_alter_table('task_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_handovers_to_user_id'), ['to_user_id'], unique=False)
    op.create_table('notification_reads',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('notification_id', 'user_id')
    )
    op.create_table('task_history',
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_uuid')
    )
    with op.batch_alter_table('task_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_history_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_history_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_task_history_stage', ['process_id', 'name'], unique=False)


def downgrade() -> None:
    op.drop_table('task_history')
    op.drop_table('notification_reads')
    op.drop_table('task_handovers')
    op.drop_table('saved_filters')
    op.drop_table('task_drafts')
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.drop_index('ix_task_index_role_district_due')
        batch_op.drop_index('ix_task_index_role_org_created')
        batch_op.drop_index('ix_task_index_role_district_created')
        batch_op.drop_index('ix_task_index_role_created')
        batch_op.drop_column('priority')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
