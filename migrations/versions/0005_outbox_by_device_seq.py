"""the outbox keyed by device sequence; the next sequence read from the events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:40:00

Two B-tree pages fewer for every saved event (each one encrypted at COMMIT on an encrypted store):

* An outbox row's id is now its event's device sequence (a CHECK says so), so the outbox is read in
  sequence order along its own rows, and its device_seq index goes.
* The next device sequence is one more than the device's last event, read from the events' own
  (device_id, device_seq) index, instead of a counter in sync_state rewritten by every save. Events
  leave the laptop (retention, a case taken away), so a trigger keeps the counter as a floor whenever
  one of this device's events is deleted: a sequence number is never handed out twice.
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TRIGGER = """
CREATE TRIGGER events_device_seq_floor AFTER DELETE ON events
WHEN old.device_id = (SELECT value FROM sync_state WHERE key = 'device_id')
BEGIN
  INSERT OR IGNORE INTO sync_state (key, value) VALUES ('next_device_seq', '1');
  UPDATE sync_state SET value = CAST(max(CAST(value AS INTEGER), old.device_seq + 1) AS TEXT)
   WHERE key = 'next_device_seq';
END
"""


def upgrade() -> None:
    # ids become the sequence numbers, through negatives so no two rows ever share an id
    op.execute("UPDATE outbox SET id = -device_seq")
    op.execute("UPDATE outbox SET id = -id")
    with op.batch_alter_table('outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_index('ix_outbox_device_seq')
        batch_op.create_check_constraint('ck_outbox_id_is_device_seq', 'id = device_seq')
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS events_device_seq_floor")
    # the counter the older code advances itself: where the events say it stands
    op.execute("INSERT OR IGNORE INTO sync_state (key, value) VALUES ('next_device_seq', '1')")
    op.execute("UPDATE sync_state SET value = CAST(max(CAST(value AS INTEGER), coalesce((SELECT max(device_seq) "
               "FROM events WHERE device_id = (SELECT value FROM sync_state WHERE key = 'device_id')), 0) + 1) "
               "AS TEXT) WHERE key = 'next_device_seq'")
    with op.batch_alter_table('outbox', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('ck_outbox_id_is_device_seq', type_='check')
        batch_op.create_index('ix_outbox_device_seq', ['device_seq'], unique=False)
