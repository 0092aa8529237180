"""safety at the door: visit sessions, alarms, PINs, policy versions, replies, the safety log,
notifications, safety days; users.phone

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 18:21:07.411471

users.phone is added in place (ALTER TABLE … ADD COLUMN), never by a batch copy of `users` (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import headoffice.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('alarm_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('claimed_until', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('provider_ref', sa.String(length=200), nullable=True),
    sa.Column('queued_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('sent_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notifications_alarm_id', 'notifications', ['alarm_id'], unique=False)
    op.create_index('ix_notifications_next_attempt_at', 'notifications', ['next_attempt_at'], unique=False)
    op.create_index('ix_notifications_recipient', 'notifications', ['recipient_id', 'channel', 'id'], unique=False)

    op.create_table('safety_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('alarm_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_safety_log_alarm_id', 'safety_log', ['alarm_id'], unique=False)
    op.create_index('ix_safety_log_session_id', 'safety_log', ['session_id'], unique=False)

    op.create_table('safety_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_by_name', sa.String(length=200), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team', 'version', name='uq_safety_policies_team_version')
    )
    op.create_table('safety_days',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('closed_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('check_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('alarm_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', 'day')
    )
    op.create_index('ix_safety_days_check', 'safety_days', ['check_at'], unique=False, postgresql_where=sa.text('check_at IS NOT NULL'), sqlite_where=sa.text('check_at IS NOT NULL'))

    op.create_table('safety_pins',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('safety_hash', sa.String(length=255), nullable=False),
    sa.Column('duress_hash', sa.String(length=255), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('safety_replies',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_ref', sa.String(length=36), nullable=False),
    sa.Column('command', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'client_ref')
    )
    op.create_table('safety_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('planned_minutes', sa.Integer(), nullable=False),
    sa.Column('started_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('due_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('extended_minutes', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('position_source', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('closed_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('next_check_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('wrong_pins', sa.Integer(), nullable=False),
    sa.Column('created_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_safety_sessions_agent_id', 'safety_sessions', ['agent_id'], unique=False)
    op.create_index('ix_safety_sessions_case_id', 'safety_sessions', ['case_id'], unique=False)
    op.create_index('ix_safety_sessions_next_check', 'safety_sessions', ['next_check_at'], unique=False, postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))
    op.create_index('ix_safety_sessions_team_started', 'safety_sessions', ['team', 'started_at'], unique=False)
    op.create_index('ux_safety_sessions_open_agent', 'safety_sessions', ['agent_id'], unique=True, postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))

    op.create_table('safety_alarms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('raised_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('red_step', sa.Integer(), nullable=False),
    sa.Column('red_since', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('next_step_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['safety_sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_safety_alarms_agent_id', 'safety_alarms', ['agent_id'], unique=False)
    op.create_index('ix_safety_alarms_next_step', 'safety_alarms', ['next_step_at'], unique=False, postgresql_where=sa.text('next_step_at IS NOT NULL'), sqlite_where=sa.text('next_step_at IS NOT NULL'))
    op.create_index('ix_safety_alarms_session_id', 'safety_alarms', ['session_id'], unique=False)
    op.create_index('ix_safety_alarms_team_raised', 'safety_alarms', ['team', 'raised_at'], unique=False)

    op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'phone')

    op.drop_index('ix_safety_alarms_team_raised', table_name='safety_alarms')
    op.drop_index('ix_safety_alarms_session_id', table_name='safety_alarms')
    op.drop_index('ix_safety_alarms_next_step', table_name='safety_alarms', postgresql_where=sa.text('next_step_at IS NOT NULL'), sqlite_where=sa.text('next_step_at IS NOT NULL'))
    op.drop_index('ix_safety_alarms_agent_id', table_name='safety_alarms')

    op.drop_table('safety_alarms')
    op.drop_index('ux_safety_sessions_open_agent', table_name='safety_sessions', postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))
    op.drop_index('ix_safety_sessions_team_started', table_name='safety_sessions')
    op.drop_index('ix_safety_sessions_next_check', table_name='safety_sessions', postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))
    op.drop_index('ix_safety_sessions_case_id', table_name='safety_sessions')
    op.drop_index('ix_safety_sessions_agent_id', table_name='safety_sessions')

    op.drop_table('safety_sessions')
    op.drop_table('safety_replies')
    op.drop_table('safety_pins')
    op.drop_index('ix_safety_days_check', table_name='safety_days', postgresql_where=sa.text('check_at IS NOT NULL'), sqlite_where=sa.text('check_at IS NOT NULL'))

    op.drop_table('safety_days')
    op.drop_table('safety_policies')
    op.drop_index('ix_safety_log_session_id', table_name='safety_log')
    op.drop_index('ix_safety_log_alarm_id', table_name='safety_log')

    op.drop_table('safety_log')
    op.drop_index('ix_notifications_recipient', table_name='notifications')
    op.drop_index('ix_notifications_next_attempt_at', table_name='notifications')
    op.drop_index('ix_notifications_alarm_id', table_name='notifications')

    op.drop_table('notifications')
