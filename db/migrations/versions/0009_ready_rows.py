"""the inbox's open tasks and the directory's entries, kept ready in their own tables

Revision ID: 0009
Revises: 0008

Both tables are derived from the read model and the names register by the statements the
store runs at every step (db.open_tasks, db.directory); this migration fills them with the
same statements. The partial index on `projects.tasks` that the inbox read before is dropped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from db import directory, open_tasks

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_tasks",
        sa.Column("project_id", sa.String(length=64, collation="C"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("head", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "position", name=op.f("pk_open_tasks")),
    )
    op.create_index("ix_open_tasks_due", "open_tasks", ["due_at", "project_id", "position"])
    op.create_index("ix_open_tasks_district_due", "open_tasks", ["district", "due_at"])
    op.create_index("ix_open_tasks_credit_code", "open_tasks", ["credit_code"])
    op.create_table(
        "directory_entries",
        sa.Column("project_id", sa.String(length=64, collation="C"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("name", sa.String(length=300, collation="C"), nullable=False),
        sa.Column("service_items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_directory_entries")),
    )
    op.create_index(
        "ix_directory_entries_order",
        "directory_entries",
        [sa.text("rank DESC"), "district", "name", "project_id"],
    )
    op.create_index(
        "ix_directory_entries_district",
        "directory_entries",
        ["district", sa.text("rank DESC"), "name", "project_id"],
    )
    for statement in open_tasks.rebuild() + directory.rebuild():
        op.execute(statement)
    op.drop_index("ix_projects_open_tasks", table_name="projects")


def downgrade() -> None:
    op.create_index(
        "ix_projects_open_tasks",
        "projects",
        ["district"],
        postgresql_where=sa.text("tasks <> '[]'::jsonb"),
    )
    op.drop_table("directory_entries")
    op.drop_table("open_tasks")
