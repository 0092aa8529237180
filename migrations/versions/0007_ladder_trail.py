"""the escalation ladder on the laptop: each case's level and visit-trigger evidence, and its trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 00:00:17

* `case_ladder`: the case's ladder level and, when it is at a door, the trigger head office detected with
  its evidence (TriggerData JSON). One row per case that head office sent either for.
* `ladder_trail`: the ladder's steps on the case timeline (level, trigger, SMS, letter, hold, release),
  keyed by head office's id; a letter's PDF by its SHA-256. The pull replaces a case's items each time.
Both are head office's: the laptop shows them and edits none of it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_ladder',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=64), nullable=True),
    sa.Column('trigger_why', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('ladder_trail',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ladder_trail', schema=None) as batch_op:
        batch_op.create_index('ix_ladder_trail_attachment', ['attachment_sha256'], unique=False)
        batch_op.create_index('ix_ladder_trail_case_at', ['case_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ladder_trail', schema=None) as batch_op:
        batch_op.drop_index('ix_ladder_trail_case_at')
        batch_op.drop_index('ix_ladder_trail_attachment')

    op.drop_table('ladder_trail')
    op.drop_table('case_ladder')
