"""one covering index for the case list instead of seven keyed by priority

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:40:00

Every saved outcome changes its case's priority, and each index that holds the priority moved its entry:
seven of them, two B-tree pages each, about half of the ~30 pages a save wrote to the WAL (and had to
encrypt on an encrypted store). One index ordered by (priority, id) that also carries the filter columns
serves every filtered list sorted by priority by walking it, without reading the table; a save now moves
one entry.
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_OLD = (
    ('ix_cases_agent_priority', ['agent_id', 'priority']),
    ('ix_cases_stage_priority', ['stage', 'priority']),
    ('ix_cases_bucket_priority', ['bucket', 'priority']),
    ('ix_cases_status_priority', ['status', 'priority']),
    ('ix_cases_district_priority', ['district', 'priority']),
    ('ix_cases_safety_priority', ['safety_level', 'priority']),
    ('ix_cases_priority', ['priority']),
)
_LIST = ['priority', 'id', 'stage', 'status', 'bucket', 'district', 'safety_level', 'agent_id']


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, _columns in _OLD:
            batch_op.drop_index(name)
        batch_op.create_index('ix_cases_list', _LIST, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_list')
        for name, columns in _OLD:
            batch_op.create_index(name, columns, unique=False)
