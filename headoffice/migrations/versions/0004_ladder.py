"""the escalation ladder: policies, each case's level, moves, actions, the case trail, serious-default
evidence, delinquency episodes, SMS templates and messages, law firms, letter templates and letters;
debtors.zone

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 23:32:30.543076

debtors.zone is added in place (ALTER TABLE … ADD COLUMN), never by a batch copy of `debtors`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import headoffice.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ladder_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_by_name', sa.String(length=200), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scope', 'version', name='uq_ladder_policies_scope_version')
    )
    op.create_table('case_ladder',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('last_run_on', sa.Date(), nullable=True),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('held_by', sa.String(length=64), nullable=True),
    sa.Column('trigger', sa.String(length=32), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('case_ladder', schema=None) as batch_op:
        batch_op.create_index('ix_case_ladder_level', ['level'], unique=False)

    op.create_table('case_trail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_trail', schema=None) as batch_op:
        batch_op.create_index('ix_case_trail_case_at', ['case_id', 'at'], unique=False)

    op.create_table('delinquency_episodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('cured_on', sa.Date(), nullable=True),
    sa.Column('overdue_fen', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delinquency_episodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delinquency_episodes_case_id'), ['case_id'], unique=False)

    op.create_table('ladder_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('transition_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=True),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('done_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'level', 'run_on', name='uq_ladder_actions_case_level_day')
    )
    with op.batch_alter_table('ladder_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ladder_actions_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_ladder_actions_pending', ['action', 'run_on'], unique=False, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    op.create_table('ladder_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=True),
    sa.Column('at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('from_level', sa.String(length=32), nullable=True),
    sa.Column('to_level', sa.String(length=32), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ladder_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ladder_transitions_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_ladder_transitions_run_on', ['run_on'], unique=False)
        batch_op.create_index('uq_ladder_transitions_run', ['case_id', 'run_on'], unique=True, sqlite_where=sa.text("via = 'run'"), postgresql_where=sa.text("via = 'run'"))

    op.create_table('serious_defaults',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('serious_defaults', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_serious_defaults_case_id'), ['case_id'], unique=False)

    op.create_table('law_firms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('lawyer', sa.Text(), nullable=False),
    sa.Column('licence_no', sa.String(length=64), nullable=False),
    sa.Column('letterhead', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('updated_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('letter_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('firm_code', sa.String(length=32), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('rights', sa.Text(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('channels', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', 'version', name='uq_letter_templates_code_version')
    )
    op.create_table('sms_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code', 'version', name='uq_sms_templates_code_version')
    )
    op.create_table('letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('template_code', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('firm_code', sa.String(length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('tracking_no', sa.String(length=64), nullable=True),
    sa.Column('created_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('made_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('mailed_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_letters_case_id'), 'letters', ['case_id'], unique=False)
    op.create_index(op.f('ix_letters_due_on'), 'letters', ['due_on'], unique=False)
    op.create_index(op.f('ix_letters_pdf_sha256'), 'letters', ['pdf_sha256'], unique=False)
    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('phone_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('template_code', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('scheduled_at', headoffice.types.UTCTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('skip_reason', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('lease_until', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('provider_ref', sa.String(length=100), nullable=True),
    sa.Column('sent_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('receipt_status', sa.String(length=32), nullable=True),
    sa.Column('receipt_at', headoffice.types.UTCTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id', 'phone_id', name='uq_sms_messages_action_phone')
    )
    op.create_index(op.f('ix_sms_messages_case_id'), 'sms_messages', ['case_id'], unique=False)
    op.create_index('ix_sms_messages_due', 'sms_messages', ['next_attempt_at'], unique=False, sqlite_where=sa.text("state = 'queued'"), postgresql_where=sa.text("state = 'queued'"))
    op.create_index(op.f('ix_sms_messages_provider_ref'), 'sms_messages', ['provider_ref'], unique=False)
    op.create_index('ix_sms_messages_state', 'sms_messages', ['state'], unique=False)
    op.add_column('debtors', sa.Column('zone', sa.String(length=64), nullable=True))



def downgrade() -> None:
    op.drop_index('ix_sms_messages_state', table_name='sms_messages')
    op.drop_index(op.f('ix_sms_messages_provider_ref'), table_name='sms_messages')
    op.drop_index('ix_sms_messages_due', table_name='sms_messages', sqlite_where=sa.text("state = 'queued'"), postgresql_where=sa.text("state = 'queued'"))
    op.drop_index(op.f('ix_sms_messages_case_id'), table_name='sms_messages')
    op.drop_table('sms_messages')
    op.drop_index(op.f('ix_letters_pdf_sha256'), table_name='letters')
    op.drop_index(op.f('ix_letters_due_on'), table_name='letters')
    op.drop_index(op.f('ix_letters_case_id'), table_name='letters')
    op.drop_table('letters')
    op.drop_table('sms_templates')
    op.drop_table('letter_templates')
    op.drop_table('law_firms')
    with op.batch_alter_table('debtors', schema=None) as batch_op:
        batch_op.drop_column('zone')

    with op.batch_alter_table('serious_defaults', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_serious_defaults_case_id'))

    op.drop_table('serious_defaults')
    with op.batch_alter_table('ladder_transitions', schema=None) as batch_op:
        batch_op.drop_index('uq_ladder_transitions_run', sqlite_where=sa.text("via = 'run'"), postgresql_where=sa.text("via = 'run'"))
        batch_op.drop_index('ix_ladder_transitions_run_on')
        batch_op.drop_index(batch_op.f('ix_ladder_transitions_case_id'))

    op.drop_table('ladder_transitions')
    with op.batch_alter_table('ladder_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_ladder_actions_pending', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_ladder_actions_case_id'))

    op.drop_table('ladder_actions')
    with op.batch_alter_table('delinquency_episodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delinquency_episodes_case_id'))

    op.drop_table('delinquency_episodes')
    with op.batch_alter_table('case_trail', schema=None) as batch_op:
        batch_op.drop_index('ix_case_trail_case_at')

    op.drop_table('case_trail')
    with op.batch_alter_table('case_ladder', schema=None) as batch_op:
        batch_op.drop_index('ix_case_ladder_level')

    op.drop_table('case_ladder')
    op.drop_table('ladder_policies')
