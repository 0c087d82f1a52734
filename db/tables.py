"""The database tables: the append-only records, the names register, the read model, the outbox."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LIVE_STAGES_SQL = "stage NOT IN ('withdrawn', 'rejected', 'cancelled', 'revoked')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Project(Base):
    """Read model of one project, kept current by the workflow (lists and the directory)."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6), index=True)
    type: Mapped[str] = mapped_column(String(16))
    focus: Mapped[str] = mapped_column(String(50))
    display_name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    next_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state_seq: Mapped[int] = mapped_column(Integer, default=0)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The open tasks (domain.state.Task as JSON) and the rectification, from which the tasks
    # inbox's rows are derived (OpenTask, db.open_tasks).
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    rectification_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rectification_reported: Mapped[bool] = mapped_column(server_default=text("false"))
    # Published in the directory: the typical case (title, summary, selected_on; Art. 9.4) and
    # the date of the national-base recommendation while its municipal name stands (Art. 12).
    typical_case: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    national_base_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        # One live project per unit, district and focus (docs/api-guide.md: 409 on a live duplicate).
        Index(
            "uq_projects_live_focus",
            "credit_code",
            "district",
            "focus",
            unique=True,
            postgresql_where=text(LIVE_STAGES_SQL),
        ),
        # The project list's order (newest first): its first page without sorting every row.
        Index("ix_projects_registered_at", "registered_at"),
    )


class OpenTask(Base):
    """One open task of a live project, for the tasks inbox (api.services.tasks): the project's
    `tasks` and its owed rectification report, one row each, rewritten by every transaction that
    writes the project's row (db.open_tasks), so a page of the inbox is an index range."""

    __tablename__ = "open_tasks"

    project_id: Mapped[str] = mapped_column(String(64, collation="C"), primary_key=True)
    # The task's place in the project's list; a rectification report comes after them all.
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(6))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(32))
    escalated: Mapped[bool]
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The entry (api.schemas.TaskRead) as JSON text up to `due_rule`, without its closing
    # brace: the inbox appends what depends on the clock and the reader.
    head: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        # The inbox's order: earliest due first, ties by project and place.
        Index("ix_open_tasks_due", "due_at", "project_id", "position"),
        Index("ix_open_tasks_district_due", "district", "due_at"),
    )


class DirectoryEntry(Base):
    """One named project as the public directory publishes it (Art. 11), under its highest
    active name: the entry as JSON, and what orders and filters it. Rewritten by every
    transaction that writes the project's row or its names (db.directory), so a page of the
    directory is an index range."""

    __tablename__ = "directory_entries"

    project_id: Mapped[str] = mapped_column(String(64, collation="C"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)  # 2 municipal, 1 district: highest first
    level: Mapped[str] = mapped_column(String(16))
    # Compared as code points (as Python compares strings), whatever the database's collation.
    district: Mapped[str] = mapped_column(String(6, collation="C"))
    name: Mapped[str] = mapped_column(String(300, collation="C"))
    service_items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    entry: Mapped[Any] = mapped_column(JSON)  # api.schemas.DirectoryEntry's shape

    __table_args__ = (
        # The directory's order, and the same within one district.
        Index("ix_directory_entries_order", text("rank DESC"), "district", "name", "project_id"),
        Index("ix_directory_entries_district", "district", text("rank DESC"), "name", "project_id"),
    )


class Decision(Base):
    """Append-only record of every decision, keyed by project and event sequence."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_district: Mapped[str | None] = mapped_column(String(6))
    actor_credit_code: Mapped[str | None] = mapped_column(String(18))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stage_before: Mapped[str] = mapped_column(String(32))
    stage_after: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool | None]
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)

    # The assessment figures count evaluations decided in a period (api.services.reports).
    __table_args__ = (Index("ix_decisions_action_decided_at", "action", "decided_at"),)


class DataPeriod(Base):
    """Where one project stands for one data period (Art. 9.1): owed (with its due date), and
    its first submission's timeliness and latest figures. One row per project and period, kept
    by the store as obligations and submissions arrive (versioned by step), so the district
    figures read one indexed row per project (db.figures)."""

    __tablename__ = "data_periods"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # project/period
    project_id: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    owed: Mapped[bool] = mapped_column(server_default=text("false"))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_seq: Mapped[int | None] = mapped_column(Integer)
    on_time: Mapped[bool | None]
    latest_seq: Mapped[int | None] = mapped_column(Integer)
    smes_served: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    services: Mapped[dict[str, int]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (Index("ix_data_periods_period_district", "period", "district"),)


class DataSubmission(Base):
    """A unit's figures for a data period: the record, append-only (the latest counts)."""

    __tablename__ = "data_submissions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # project/seq
    project_id: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    seq: Mapped[int] = mapped_column(Integer)
    smes_served: Mapped[int] = mapped_column(Integer)
    services: Mapped[dict[str, int]] = mapped_column(JSONB)
    improvements: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on_time: Mapped[bool]

    __table_args__ = (Index("ix_data_submissions_project_id", "project_id", "period"),)


class DistrictReport(Base):
    """A district's report for a data period, submitted to the municipal bureau (Art. 9.1):
    the district's figures as they stood then, frozen."""

    __tablename__ = "district_reports"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # district/period
    district: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ReportTask(Base):
    """A district report still owed: the district bureau's inbox entry for it (Art. 9.1).

    Written by the report process at each of its steps (opened, escalated, submitted), keyed by
    district and period; the merge on conflict only moves forward (escalated stays true, the
    first submission time stays), so a retried step writes nothing twice.
    """

    __tablename__ = "report_tasks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # district/period
    district: Mapped[str] = mapped_column(String(6))
    period: Mapped[str] = mapped_column(String(7))
    workflow_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_rule: Mapped[str | None] = mapped_column(String(200))
    escalated: Mapped[bool] = mapped_column(server_default=text("false"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "ix_report_tasks_open",
            "district",
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )


class Name(Base):
    """The names register: a grant is a row that is never edited or deleted."""

    __tablename__ = "names"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    granted_on: Mapped[date] = mapped_column(Date)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[str] = mapped_column(String(32))

    # The assessment figures count names granted in a period (api.services.reports).
    __table_args__ = (Index("ix_names_granted_at", "granted_at"),)


class NameEnding(Base):
    """How a name ended (取消 or 撤消): at most one per name, appended, never edited."""

    __tablename__ = "name_endings"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name_key: Mapped[str] = mapped_column(ForeignKey("names.key"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    ended_on: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_name_endings_ended_at", "ended_at"),)


class Notification(Base):
    """Outbox: one row per message and recipient, for a sender to deliver."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120))
    recipient: Mapped[str] = mapped_column(String(64))
    recipient_role: Mapped[str] = mapped_column(String(32), index=True)
    recipient_district: Mapped[str | None] = mapped_column(String(6))
    recipient_credit_code: Mapped[str | None] = mapped_column(String(18))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Kept by the sender (sender/), nullable so the activities writing rows need not know them:
    # when the row was turned into deliveries, and why it could not be yet (Chinese).
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivery_problem: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("key", "recipient", name="uq_notifications_key_recipient"),
        Index("ix_notifications_unplanned", "id", postgresql_where=text("planned_at IS NULL")),
    )


class Token(Base):
    """An API credential: only the SHA-256 hash of the opaque token is kept; revoked, never deleted."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(6))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A signed-in console session (console/): only the SHA-256 hash of its cookie is kept.

    It belongs to the token it was opened with, so revoking the token ends it (docs/console.md).
    """

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- delivery of the outbox (sender/) ---------------------------------------------------------


class Contact(Base):
    """Where one recipient's notifications go: e-mail addresses and an optional signed webhook.

    `scope` is the district code (district bureaus), the credit code (units), or '' for every
    recipient of the role.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(18), server_default="")
    emails: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # Needed in clear to sign each delivery; shown once when set (whsec_…).
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("role", "scope", name="uq_contacts_role_scope"),)


class Delivery(Base):
    """One outbox row to one address (an e-mail or a webhook), with its attempts."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    # Why no attempt can be made now (no mail server configured), in Chinese.
    blocked: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint(
            "notification_id", "channel", "address", name="uq_deliveries_notification_address"
        ),
        Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )
