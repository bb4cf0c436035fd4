"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 12:13:23.171145
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_heads',
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('chain')
    )
    op.create_table('calendar_days',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_year'), ['year'], unique=False)

    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('entered_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('entered_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code')
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_kind'), ['kind'], unique=False)

    op.create_table('process_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('spec_json', sa.Text(), nullable=False),
    sa.Column('deployed_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'sha256'),
    sa.UniqueConstraint('process_id', 'version')
    )
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_versions_process_id'), ['process_id'], unique=False)

    op.create_table('provider_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('published_at', engine.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)

    op.create_table('conflicts_of_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('declared_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('expert_id', 'organisation_id')
    )
    with op.batch_alter_table('conflicts_of_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_of_interest_expert_id'), ['expert_id'], unique=False)

    op.create_table('instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('business_key', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('provider_org_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('serialized', sa.Text(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('task_districts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('next_timer_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('provisional_timers', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('error_element', sa.String(length=100), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('completed_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], ),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instances_business_key'), ['business_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_next_timer_at'), ['next_timer_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_process_version_id'), ['process_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instances_status'), ['status'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_uuid', sa.String(length=36), nullable=True),
    sa.Column('element_id', sa.String(length=100), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('chain', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chain', 'seq')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_instance_id'), ['instance_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('window_start', sa.String(length=10), nullable=False),
    sa.Column('window_end', sa.String(length=10), nullable=False),
    sa.Column('requirements', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('closed_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('summary_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_year'), ['year'], unique=False)

    op.create_table('diagnosis_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('findings', sa.String(length=5000), nullable=False),
    sa.Column('proposals', sa.String(length=5000), nullable=False),
    sa.Column('submitted_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_name', sa.String(length=200), nullable=False),
    sa.Column('task_role', sa.String(length=32), nullable=False),
    sa.Column('target_role', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('due_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('opened_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_uuid')
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index('ix_escalations_target', ['target_role', 'district'], unique=False)

    op.create_table('guidelines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.String(length=10), nullable=False),
    sa.Column('valid_until', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('registered_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('doc_no'),
    sa.UniqueConstraint('instance_id')
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('read_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_role', ['role', 'district', 'organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('performance_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('improvements', sa.Text(), nullable=False),
    sa.Column('reviews', sa.JSON(), nullable=False),
    sa.Column('computed_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('written_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('finalised_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('cosigned_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cosigned_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('performance_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_evaluations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_performance_evaluations_year'), ['year'], unique=False)

    op.create_table('provider_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('applied_name', sa.String(length=200), nullable=True),
    sa.Column('applied_credit_code', sa.String(length=18), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['provider_batches.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id')
    )
    with op.batch_alter_table('provider_listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_listings_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_listings_status'), ['status'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_role', sa.String(length=32), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('verifier_role', sa.String(length=32), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=True),
    sa.Column('issue', sa.String(length=2000), nullable=False),
    sa.Column('due_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('response', sa.String(length=2000), nullable=True),
    sa.Column('verification_comment', sa.String(length=2000), nullable=True),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('opened_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('responded_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('closed_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['verifier_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_status'), ['status'], unique=False)

    op.create_table('satisfaction_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('self_assessment_done', sa.Boolean(), nullable=False),
    sa.Column('rated_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    op.create_table('star_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction_score', sa.Double(), nullable=True),
    sa.Column('rectification_score', sa.Double(), nullable=True),
    sa.Column('projects_score', sa.Double(), nullable=True),
    sa.Column('expert_score', sa.Double(), nullable=True),
    sa.Column('total', sa.Double(), nullable=True),
    sa.Column('computed_stars', sa.Integer(), nullable=True),
    sa.Column('final_stars', sa.Integer(), nullable=True),
    sa.Column('adjustment_reason', sa.String(length=500), nullable=True),
    sa.Column('adjusted_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('computed_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('published_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['adjusted_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id', 'organisation_id')
    )
    with op.batch_alter_table('star_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_star_ratings_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_ratings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_ratings_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_star_ratings_year'), ['year'], unique=False)

    op.create_table('subsidy_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('project_instance_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('district_opinions', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('expert_count', sa.Integer(), nullable=True),
    sa.Column('expert_average', sa.Double(), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sa.String(length=2000), nullable=True),
    sa.Column('revocation_code', sa.String(length=40), nullable=True),
    sa.Column('revocation_reason', sa.String(length=500), nullable=True),
    sa.Column('submitted_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('decided_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('subsidy_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_applications_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applications_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_applications_year'), ['year'], unique=False)

    op.create_table('subsidy_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('budget_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('scaling_rule', sa.String(length=40), nullable=False),
    sa.Column('round_down_fen', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('fixed_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('issue_doc_no', sa.String(length=100), nullable=True),
    sa.Column('issued_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('request_doc_no', sa.String(length=100), nullable=True),
    sa.Column('requested_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('completed_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('subsidy_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_plans_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_plans_year'), ['year'], unique=False)

    op.create_table('task_index',
    sa.Column('task_uuid', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('bpmn_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('due_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('reminded_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('overdue_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('task_uuid')
    )
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_index_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_index_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_index_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_task_index_role_district', ['role', 'district'], unique=False)
        batch_op.create_index('ix_task_index_role_org', ['role', 'organisation_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('starts_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('ends_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('contact_office', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('contact_address', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['subsidy_plans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id')
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_status'), ['status'], unique=False)

    op.create_table('district_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'district'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('district_quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_quotas_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('district_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('filings', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('returned', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('mobilisation', sa.Text(), nullable=False),
    sa.Column('meetings_held', sa.Integer(), nullable=False),
    sa.Column('enterprises_reached', sa.Integer(), nullable=False),
    sa.Column('matches_made', sa.Integer(), nullable=False),
    sa.Column('matches', sa.JSON(), nullable=False),
    sa.Column('mobilised_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('reported_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'district')
    )
    with op.batch_alter_table('district_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_summaries_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('expert_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('scored_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_applications.id'], ),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'expert_id')
    )
    with op.batch_alter_table('expert_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_scores_application_id'), ['application_id'], unique=False)

    op.create_table('filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('contract_no', sa.String(length=64), nullable=False),
    sa.Column('contract_date', sa.String(length=10), nullable=False),
    sa.Column('contract_amount', sa.Double(), nullable=False),
    sa.Column('working_group', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('filed_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('decided_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filings_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_provider_org_id'), ['provider_org_id'], unique=False)

    op.create_table('fund_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('released_on', sa.String(length=10), nullable=False),
    sa.Column('voucher_no', sa.String(length=100), nullable=False),
    sa.Column('released_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('released_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['subsidy_plans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'district')
    )
    with op.batch_alter_table('fund_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_releases_plan_id'), ['plan_id'], unique=False)

    op.create_table('recoveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('finding_doc_no', sa.String(length=100), nullable=False),
    sa.Column('paid_fen', sa.Integer(), nullable=False),
    sa.Column('demanded_fen', sa.Integer(), nullable=False),
    sa.Column('repaid_fen', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.String(length=10), nullable=True),
    sa.Column('letter_no', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('opened_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('demanded_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('closed_at', engine.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_applications.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id')
    )
    with op.batch_alter_table('recoveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recoveries_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recoveries_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recoveries_status'), ['status'], unique=False)

    op.create_table('subsidy_plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('application_no', sa.String(length=100), nullable=False),
    sa.Column('provider_org_id', sa.Integer(), nullable=False),
    sa.Column('provider_name', sa.String(length=200), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('enterprises', sa.JSON(), nullable=False),
    sa.Column('projects', sa.JSON(), nullable=False),
    sa.Column('requested_fen', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_applications.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['subsidy_plans.id'], ),
    sa.ForeignKeyConstraint(['provider_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'application_id')
    )
    with op.batch_alter_table('subsidy_plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_plan_items_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_plan_items_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_plan_items_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_plan_items_provider_org_id'), ['provider_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_plan_items_status'), ['status'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('objector_kind', sa.String(length=20), nullable=False),
    sa.Column('objector_name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('contact_person', sa.String(length=50), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('scan_ref', sa.String(length=300), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_action', sa.String(length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('amount_before_fen', sa.Integer(), nullable=True),
    sa.Column('amount_after_fen', sa.Integer(), nullable=True),
    sa.Column('filed_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('decided_at', engine.models.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['subsidy_plan_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_status'), ['status'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.String(length=10), nullable=False),
    sa.Column('paid_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('voucher_no', sa.String(length=100), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['subsidy_applications.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['subsidy_plan_items.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['subsidy_plans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_plan_id'), ['plan_id'], unique=False)

    op.create_table('recovery_repayments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recovery_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('repaid_on', sa.String(length=10), nullable=False),
    sa.Column('voucher_no', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['recovery_id'], ['recoveries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_repayments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_repayments_recovery_id'), ['recovery_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('recovery_repayments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_repayments_recovery_id'))

    op.drop_table('recovery_repayments')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_plan_id'))
        batch_op.drop_index(batch_op.f('ix_payments_district'))
        batch_op.drop_index(batch_op.f('ix_payments_application_id'))

    op.drop_table('payments')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_status'))
        batch_op.drop_index(batch_op.f('ix_objections_item_id'))
        batch_op.drop_index(batch_op.f('ix_objections_announcement_id'))

    op.drop_table('objections')
    with op.batch_alter_table('subsidy_plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_plan_items_status'))
        batch_op.drop_index(batch_op.f('ix_subsidy_plan_items_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_plan_items_plan_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_plan_items_district'))
        batch_op.drop_index(batch_op.f('ix_subsidy_plan_items_application_id'))

    op.drop_table('subsidy_plan_items')
    with op.batch_alter_table('recoveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recoveries_status'))
        batch_op.drop_index(batch_op.f('ix_recoveries_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_recoveries_application_id'))

    op.drop_table('recoveries')
    with op.batch_alter_table('fund_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_releases_plan_id'))

    op.drop_table('fund_releases')
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filings_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_filings_enterprise_org_id'))
        batch_op.drop_index(batch_op.f('ix_filings_district'))
        batch_op.drop_index(batch_op.f('ix_filings_campaign_id'))

    op.drop_table('filings')
    with op.batch_alter_table('expert_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_scores_application_id'))

    op.drop_table('expert_scores')
    with op.batch_alter_table('district_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_summaries_campaign_id'))

    op.drop_table('district_summaries')
    with op.batch_alter_table('district_quotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_quotas_campaign_id'))

    op.drop_table('district_quotas')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_status'))
        batch_op.drop_index(batch_op.f('ix_announcements_instance_id'))
        batch_op.drop_index(batch_op.f('ix_announcements_ends_at'))

    op.drop_table('announcements')
    with op.batch_alter_table('task_index', schema=None) as batch_op:
        batch_op.drop_index('ix_task_index_role_org')
        batch_op.drop_index('ix_task_index_role_district')
        batch_op.drop_index(batch_op.f('ix_task_index_instance_id'))
        batch_op.drop_index(batch_op.f('ix_task_index_due_at'))
        batch_op.drop_index(batch_op.f('ix_task_index_assignee_id'))

    op.drop_table('task_index')
    with op.batch_alter_table('subsidy_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_plans_year'))
        batch_op.drop_index(batch_op.f('ix_subsidy_plans_status'))

    op.drop_table('subsidy_plans')
    with op.batch_alter_table('subsidy_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_applications_year'))
        batch_op.drop_index(batch_op.f('ix_subsidy_applications_status'))
        batch_op.drop_index(batch_op.f('ix_subsidy_applications_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_applications_district'))

    op.drop_table('subsidy_applications')
    with op.batch_alter_table('star_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_star_ratings_year'))
        batch_op.drop_index(batch_op.f('ix_star_ratings_status'))
        batch_op.drop_index(batch_op.f('ix_star_ratings_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_star_ratings_instance_id'))

    op.drop_table('star_ratings')
    op.drop_table('satisfaction_surveys')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_status'))
        batch_op.drop_index(batch_op.f('ix_rectifications_instance_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('provider_listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_listings_status'))
        batch_op.drop_index(batch_op.f('ix_provider_listings_instance_id'))

    op.drop_table('provider_listings')
    with op.batch_alter_table('performance_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_performance_evaluations_year'))
        batch_op.drop_index(batch_op.f('ix_performance_evaluations_status'))

    op.drop_table('performance_evaluations')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index('ix_notifications_role')

    op.drop_table('notifications')
    op.drop_table('guidelines')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_target')
        batch_op.drop_index(batch_op.f('ix_escalations_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_escalations_instance_id'))

    op.drop_table('escalations')
    op.drop_table('diagnosis_reports')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_year'))
        batch_op.drop_index(batch_op.f('ix_campaigns_status'))

    op.drop_table('campaigns')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_instance_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instances_status'))
        batch_op.drop_index(batch_op.f('ix_instances_provider_org_id'))
        batch_op.drop_index(batch_op.f('ix_instances_process_version_id'))
        batch_op.drop_index(batch_op.f('ix_instances_process_id'))
        batch_op.drop_index(batch_op.f('ix_instances_next_timer_at'))
        batch_op.drop_index(batch_op.f('ix_instances_enterprise_org_id'))
        batch_op.drop_index(batch_op.f('ix_instances_district'))
        batch_op.drop_index(batch_op.f('ix_instances_business_key'))

    op.drop_table('instances')
    with op.batch_alter_table('conflicts_of_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_of_interest_expert_id'))

    op.drop_table('conflicts_of_interest')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))

    op.drop_table('users')
    op.drop_table('provider_batches')
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_versions_process_id'))

    op.drop_table('process_versions')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_kind'))

    op.drop_table('organisations')
    op.drop_table('calendar_years')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_year'))

    op.drop_table('calendar_days')
    op.drop_table('audit_heads')

