"""Chinese labels of codes as SQL, for answers that PostgreSQL writes as JSON."""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case, literal


def label_case(value: SQLColumnExpression[Any], labels: dict[str, str]) -> ColumnElement[Any]:
    """The label of a code, from the domain's table (one definition of each label)."""
    return case(*((value == code, literal(label)) for code, label in labels.items()), else_=None)
