"""index for a bucket filter sorted by days past due

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 08:35:00.308343
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_bucket_dpd', ['bucket', 'days_past_due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_bucket_dpd')
