"""initial store

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 06:49:43.731346
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.store.types

# Frozen copy of the FTS5 DDL of this revision (later revisions must not change history).
FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5("
    "case_no, name, phones, addresses, id_tail, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search_short USING fts5("
    "name, addresses, tokenize='unicode61 remove_diacritics 0')",
)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('base_lat', sa.Float(), nullable=True),
    sa.Column('base_lon', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('attachments',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('uploaded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=27), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('day_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agent_id', 'day', name='uq_day_plans_agent_day')
    )
    op.create_table('debtors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('device_seq', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('occurred_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('recorded_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('replaces', sa.String(length=36), nullable=True),
    sa.Column('sync_state', sa.String(length=16), nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=True),
    sa.Column('flag_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'device_seq', name='uq_events_device_seq')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_case_time', ['case_id', 'occurred_at'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('read', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sync_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_debtor_id'), ['debtor_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=32), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=True),
    sa.Column('paused_reason', sa.Text(), nullable=True),
    sa.Column('priority', sa.Float(), nullable=False),
    sa.Column('priority_reasons', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('debtor_name', sa.Text(), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=False),
    sa.Column('bucket', sa.String(length=4), nullable=False),
    sa.Column('days_past_due', sa.Integer(), nullable=False),
    sa.Column('overdue_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('promise_due', sa.Date(), nullable=True),
    sa.Column('next_action_on', sa.Date(), nullable=True),
    sa.Column('safety_level', sa.Integer(), nullable=False),
    sa.Column('last_contact_at', app.store.types.UTCDateTime(length=27), nullable=True),
    sa.Column('updated_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_no')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_agent_priority', ['agent_id', 'priority'], unique=False)
        batch_op.create_index('ix_cases_bucket_priority', ['bucket', 'priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_debtor_id'), ['debtor_id'], unique=False)
        batch_op.create_index('ix_cases_debtor_name', ['debtor_name'], unique=False)
        batch_op.create_index('ix_cases_district_priority', ['district', 'priority'], unique=False)
        batch_op.create_index('ix_cases_dpd', ['days_past_due'], unique=False)
        batch_op.create_index('ix_cases_next_action', ['next_action_on'], unique=False)
        batch_op.create_index('ix_cases_overdue', ['overdue_fen'], unique=False)
        batch_op.create_index('ix_cases_priority', ['priority'], unique=False)
        batch_op.create_index('ix_cases_promise_due', ['promise_due'], unique=False)
        batch_op.create_index('ix_cases_safety_priority', ['safety_level', 'priority'], unique=False)
        batch_op.create_index('ix_cases_stage_priority', ['stage', 'priority'], unique=False)
        batch_op.create_index('ix_cases_status_priority', ['status', 'priority'], unique=False)

    op.create_table('dead_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    op.create_table('emergency_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('relation', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('refused_contact', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emergency_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_contacts_debtor_id'), ['debtor_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('device_seq', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_device_seq'), ['device_seq'], unique=False)

    op.create_table('phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debtor_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('phones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phones_debtor_id'), ['debtor_id'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('loan_no', sa.String(length=32), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('principal_fen', sa.Integer(), nullable=False),
    sa.Column('outstanding_fen', sa.Integer(), nullable=False),
    sa.Column('overdue_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('days_past_due', sa.Integer(), nullable=False),
    sa.Column('missed_instalments', sa.Integer(), nullable=False),
    sa.Column('last_payment_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_case_id'), ['case_id'], unique=False)

    op.create_table('contact_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('to_third_party', sa.Boolean(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('right_party', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('recording_sha256', sa.String(length=64), nullable=True),
    sa.Column('no_recording_reason', sa.Text(), nullable=True),
    sa.Column('collectors', sa.Integer(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_case_at', ['case_id', 'at'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('receipt_no', sa.String(length=64), nullable=False),
    sa.Column('paid_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('collector', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_case_id'), ['case_id'], unique=False)

    op.create_table('promises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('made_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('promises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promises_case_id'), ['case_id'], unique=False)

    op.create_table('relief_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('proposed_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', app.store.types.UTCDateTime(length=27), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('relief_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relief_proposals_case_id'), ['case_id'], unique=False)

    op.create_table('safety_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('debtor_id', sa.Integer(), nullable=True),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reporter', sa.String(length=200), nullable=False),
    sa.Column('reported_at', app.store.types.UTCDateTime(length=27), nullable=False),
    sa.Column('expires_at', app.store.types.UTCDateTime(length=27), nullable=True),
    sa.Column('two_person_required', sa.Boolean(), nullable=False),
    sa.Column('do_not_visit', sa.Boolean(), nullable=False),
    sa.Column('supersedes', sa.String(length=36), nullable=True),
    sa.Column('superseded_by', sa.String(length=36), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['debtor_id'], ['debtors.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('safety_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_notes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_notes_debtor_id'), ['debtor_id'], unique=False)

    for ddl in FTS_DDL:
        op.execute(ddl)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS case_search")
    op.execute("DROP TABLE IF EXISTS case_search_short")
    with op.batch_alter_table('safety_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_notes_debtor_id'))
        batch_op.drop_index(batch_op.f('ix_safety_notes_case_id'))

    op.drop_table('safety_notes')
    with op.batch_alter_table('relief_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relief_proposals_case_id'))

    op.drop_table('relief_proposals')
    with op.batch_alter_table('promises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promises_case_id'))

    op.drop_table('promises')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_case_id'))

    op.drop_table('payments')
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_case_at')

    op.drop_table('contact_attempts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_case_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phones_debtor_id'))

    op.drop_table('phones')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_device_seq'))

    op.drop_table('outbox')
    with op.batch_alter_table('emergency_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_contacts_debtor_id'))

    op.drop_table('emergency_contacts')
    op.drop_table('dead_letters')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_priority')
        batch_op.drop_index('ix_cases_stage_priority')
        batch_op.drop_index('ix_cases_safety_priority')
        batch_op.drop_index('ix_cases_promise_due')
        batch_op.drop_index('ix_cases_priority')
        batch_op.drop_index('ix_cases_overdue')
        batch_op.drop_index('ix_cases_next_action')
        batch_op.drop_index('ix_cases_dpd')
        batch_op.drop_index('ix_cases_district_priority')
        batch_op.drop_index('ix_cases_debtor_name')
        batch_op.drop_index(batch_op.f('ix_cases_debtor_id'))
        batch_op.drop_index('ix_cases_bucket_priority')
        batch_op.drop_index('ix_cases_agent_priority')

    op.drop_table('cases')
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_debtor_id'))

    op.drop_table('addresses')
    op.drop_table('sync_state')
    op.drop_table('notices')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_case_time')

    op.drop_table('events')
    op.drop_table('debtors')
    op.drop_table('day_plans')
    op.drop_table('audit_log')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_case_id'))

    op.drop_table('attachments')
    op.drop_table('agents')
