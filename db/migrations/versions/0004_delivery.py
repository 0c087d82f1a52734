"""delivery of the outbox: contacts, deliveries, and a wake-up for senders

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Senders LISTEN on this channel (sender/wakeup.py); the payload says what changed.
WAKE_FUNCTION = """
CREATE FUNCTION qis_outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qis_outbox', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "notifications", sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("delivery_problem", sa.Text(), nullable=True))
    op.create_index(
        "ix_notifications_unplanned",
        "notifications",
        ["id"],
        unique=False,
        postgresql_where=sa.text("planned_at IS NULL"),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=18), server_default="", nullable=False),
        sa.Column(
            "emails",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_secret", sa.String(length=100), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("role", "scope", name="uq_contacts_role_scope"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("blocked", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_deliveries_notification_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "notification_id", "channel", "address", name="uq_deliveries_notification_address"
        ),
    )
    op.create_index(
        op.f("ix_deliveries_notification_id"), "deliveries", ["notification_id"], unique=False
    )
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    # A new outbox row or a changed contact wakes the senders at once (no polling delay); the
    # activities that insert rows need not know. One NOTIFY per statement, not per row.
    op.execute(WAKE_FUNCTION)
    for table in ("notifications", "contacts"):
        events = "INSERT" if table == "notifications" else "INSERT OR UPDATE OR DELETE"
        op.execute(
            f"CREATE TRIGGER {table}_wake_sender AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION qis_outbox_wake()"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER contacts_wake_sender ON contacts")
    op.execute("DROP TRIGGER notifications_wake_sender ON notifications")
    op.execute("DROP FUNCTION qis_outbox_wake()")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_notification_id"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("contacts")
    op.drop_index("ix_notifications_unplanned", table_name="notifications")
    op.drop_column("notifications", "delivery_problem")
    op.drop_column("notifications", "planned_at")
