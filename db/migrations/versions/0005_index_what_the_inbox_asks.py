"""index what the inbox asks: projects with open tasks; the list's order

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Most projects wait years with no task open: the inbox reads only the rows that have one.
    op.create_index(
        "ix_projects_open_tasks",
        "projects",
        ["district"],
        unique=False,
        postgresql_where=sa.text("tasks <> '[]'::jsonb"),
    )
    op.create_index("ix_projects_registered_at", "projects", ["registered_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_projects_registered_at", table_name="projects")
    op.drop_index("ix_projects_open_tasks", table_name="projects")
