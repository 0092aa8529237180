"""SMS reminders of the escalation ladder: templates, planning, sending, delivery receipts.

    fields.py     the closed set of merge fields, the checks at save time, the merge (pure)
    templates.py  versioned templates and the company's settings in the database
    slots.py      the contact window in the debtor's zone and the per-debtor caps (pure)
    plan.py       pending `sms` ladder actions → queued messages (or skips, with the reason)
    send.py       claim due messages exactly once, send them concurrently, record the outcome
    receipts.py   the gateway's delivery receipts
    routes.py     /api/v1/sms/templates, /api/v1/sms/receipts
    jobs.py       the planner and sender as a background thread of `serve --sms-gateway URL`
    listing.py    what `python -m headoffice sms list` prints

Every message, and every number passed over, is a `sms` item on the case's trail (queued, skipped,
sent, failed, delivered, undelivered); a trail item carries the masked number only.

## Sending: head office → the client's licensed SMS channel

Through `headoffice.notify.sms.SmsGateway` (its docstring has the whole request):

    POST <--sms-gateway URL>
    Authorization: Bearer <--sms-token>                  (when set)
    Idempotency-Key: doorstep-sms-<message id>           (the same for every attempt of one message)

    {"message_id": "doorstep-sms-42", "mobile": "+8613800138000", "sign": "<--sms-signature>",
     "content": "【<signature>】<the merged template>"}

    2xx: accepted; {"id": "<gateway reference>"} in the reply is kept as the message's provider_ref.
    408, 425, 429, 5xx, a time-out, a broken connection: tried again with back-off
    (headoffice/notify/schedule.py: 5 s doubling to 5 min, eight attempts), then failed.
    Any other 4xx: refused, failed at once.

The gateway must treat a second request with an Idempotency-Key it has accepted as the same message
(a sender that crashed between the send and its record sends it again after its lease).
Reminders' keys are `doorstep-sms-…`, so they never collide with the safety alarms' `doorstep-<id>`
on the same channel.

## Delivery receipts: the gateway → head office

    POST /api/v1/sms/receipts
    Content-Type: application/json
    X-Doorstep-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, key = serve --sms-receipt-secret>

    {"message_id": "doorstep-sms-42", "status": "delivered", "at": "2026-12-01T10:00:03+08:00"}
    or {"id": "<gateway reference>", "status": "undelivered", "at": "..."}

    status: delivered | undelivered | expired | rejected | failed | blocked (all but delivered
    count as undelivered; the gateway's word is kept in receipt_status). `at` is optional.

    200 {"message_id": "doorstep-sms-42", "state": "delivered", "duplicate": false, "stale": false}
        a replay of the same status answers 200 with duplicate true and changes nothing;
        a receipt older than the one recorded answers 200 with stale true and changes nothing
    401 bad_signature   (missing or wrong signature; nothing is read)
    403 receipts_disabled (this server has no --sms-receipt-secret)
    404 not_found       (no message of ours with that id or reference: a receipt for a message
                         the gateway has only just accepted may be sent again a little later)
    422 invalid_receipt (not JSON, not an object, an unknown status, a time without a zone …)
"""

from __future__ import annotations
