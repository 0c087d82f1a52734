"""The version of a table derived from the read model (`open_tasks`, `directory_entries`): a
value that moves whenever one of its rows is written or removed, cheap enough to ask at every
request. The API keeps its largest answers under it (docs/performance.md, "What limits each
figure")."""

from sqlalchemy import TextClause, text


def version_of(table: str) -> TextClause:
    """A statement giving `table`'s version: how many rows it holds, and a sum over each row's
    project and the transaction that wrote the row (`xmin`, PostgreSQL's own column). The
    derived tables are rewritten by delete and insert, so every write makes rows with a new
    `xmin`, and a removal changes the count."""
    return text(
        "SELECT count(*) || '-' || "
        "coalesce(sum(hashtextextended(project_id || '/' || xmin::text, 0)), 0) "
        f"FROM {table}"
    )
