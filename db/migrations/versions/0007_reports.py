"""data collection, district reports, typical cases and national bases (Art. 9.1, 9.4, 11, 12)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("typical_case", postgresql.JSONB(astext_type=sa.Text())))
    op.add_column("projects", sa.Column("national_base_on", sa.Date()))
    op.create_table(
        "data_periods",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("owed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seq", sa.Integer()),
        sa.Column("on_time", sa.Boolean()),
        sa.Column("latest_seq", sa.Integer()),
        sa.Column("smes_served", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "services",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_periods")),
        sa.UniqueConstraint("key", name=op.f("uq_data_periods_key")),
    )
    op.create_index("ix_data_periods_period_district", "data_periods", ["period", "district"])
    op.create_table(
        "data_submissions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("smes_served", sa.Integer(), nullable=False),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_submissions")),
        sa.UniqueConstraint("key", name=op.f("uq_data_submissions_key")),
    )
    op.create_index("ix_data_submissions_project_id", "data_submissions", ["project_id", "period"])
    op.create_table(
        "district_reports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_reports")),
        sa.UniqueConstraint("key", name=op.f("uq_district_reports_key")),
    )
    op.create_index("ix_names_granted_at", "names", ["granted_at"])
    op.create_index("ix_name_endings_ended_at", "name_endings", ["ended_at"])
    op.create_index("ix_decisions_action_decided_at", "decisions", ["action", "decided_at"])


def downgrade() -> None:
    op.drop_index("ix_decisions_action_decided_at", table_name="decisions")
    op.drop_index("ix_name_endings_ended_at", table_name="name_endings")
    op.drop_index("ix_names_granted_at", table_name="names")
    op.drop_table("district_reports")
    op.drop_index("ix_data_submissions_project_id", table_name="data_submissions")
    op.drop_table("data_submissions")
    op.drop_index("ix_data_periods_period_district", table_name="data_periods")
    op.drop_table("data_periods")
    op.drop_column("projects", "national_base_on")
    op.drop_column("projects", "typical_case")
