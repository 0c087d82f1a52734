"""The sender: delivers the notification outbox by e-mail and signed webhooks.

The workflow's activities write one outbox row per message and recipient (db.tables.Notification).
A sender turns each row into deliveries, one per concrete address (sender/plan.py), and sends
them with retries (sender/loop.py). Several senders may run on one database: rows are claimed
with FOR UPDATE SKIP LOCKED, so none is sent twice by two of them.
"""

# The LISTEN/NOTIFY channel the migration's triggers notify (db/migrations/versions/0004_*.py).
WAKE_CHANNEL = "qis_outbox"
