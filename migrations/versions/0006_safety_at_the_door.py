"""safety at the door: visit sessions, the safety queue and the PIN verifiers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:20:05

* `visit_sessions`: the visits this laptop opened (or adopted from head office), their countdown, and
  head office's id once it has them.
* `safety_outbox`: the safety commands waiting for head office (open, extend, check-out, SOS, day end),
  sent before the event outbox, SOS first. A queued check-out holds the typed PIN until head office
  answers; the row goes then.
* `safety_pin_verifiers`: two argon2id verifiers of the agent's PINs, in random order, unlabelled.
* `safety_report_days`: a supervisor's copy of head office's safety report per day (today and yesterday
  are refreshed by each sync round), for the safety section of the team report.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.store.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('safety_report_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('fetched_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('safety_pin_verifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verifier', sa.Text(), nullable=False),
    sa.Column('set_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('visit_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('partner_name', sa.Text(), nullable=True),
    sa.Column('planned_minutes', sa.Integer(), nullable=False),
    sa.Column('extended_minutes', sa.Integer(), nullable=False),
    sa.Column('started_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('due_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('position_source', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('server_id', sa.Integer(), nullable=True),
    sa.Column('head_office_knows', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('wrong_pins', sa.Integer(), nullable=False),
    sa.Column('closed_at', app.store.types.UTCDateTime(length=27), nullable=True),
    sa.CheckConstraint("state IN ('open', 'closed')", name='ck_visit_sessions_state'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('server_id')
    )
    with op.batch_alter_table('visit_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_visit_sessions_started', ['started_at'], unique=False)
        batch_op.create_index('ix_visit_sessions_state', ['state'], unique=False)

    op.create_table('safety_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_ref', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('open', 'extend', 'check_out', 'sos', 'day_end')", name='ck_safety_outbox_kind'),
    sa.ForeignKeyConstraint(['session_id'], ['visit_sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_ref')
    )
    with op.batch_alter_table('safety_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_safety_outbox_order', ['priority', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('safety_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_safety_outbox_order')

    op.drop_table('safety_outbox')
    with op.batch_alter_table('visit_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_sessions_state')
        batch_op.drop_index('ix_visit_sessions_started')

    op.drop_table('visit_sessions')
    op.drop_table('safety_pin_verifiers')
    op.drop_table('safety_report_days')
