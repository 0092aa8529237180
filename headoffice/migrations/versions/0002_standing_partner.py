"""standing partner: users.partner_id and the pair_changes log

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 15:54:36.609658

On SQLite the column is added in place (ALTER TABLE … ADD COLUMN … REFERENCES): a batch copy
of `users` would drop the table, and with foreign keys on that deletes every user's tokens
(ON DELETE CASCADE) or fails on the cases that point at them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import headoffice.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pair_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('previous_partner_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_pair_changes_agent_id', 'pair_changes', ['agent_id'], unique=False)
    if op.get_context().dialect.name == "sqlite":
        op.execute("ALTER TABLE users ADD COLUMN partner_id INTEGER REFERENCES users (id)")
    else:
        op.add_column('users', sa.Column('partner_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_users_partner_id', 'users', 'users', ['partner_id'], ['id'])


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN partner_id")
    else:
        op.drop_constraint('fk_users_partner_id', 'users', type_='foreignkey')
        op.drop_column('users', 'partner_id')
    op.drop_index('ix_pair_changes_agent_id', table_name='pair_changes')
    op.drop_table('pair_changes')
