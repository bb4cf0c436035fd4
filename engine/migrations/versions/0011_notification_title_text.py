"""notification title text: the title's template and values

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 16:30:00

Notifications stored only their title in Chinese, so a page in English showed them in Chinese.
`title_text` keeps the template and values (engine.i18n.Text.to_json) the title was made from.
Existing notifications keep an empty `title_text` and are shown as they were stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_text', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('title_text')
