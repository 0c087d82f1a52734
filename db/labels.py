"""Labels of codes and other constants as SQL, for answers that PostgreSQL writes as JSON.

The constants are written into the statement's text, not bound: a statement built once then
carries no parameters but the ones that change (a statement of the ready rows had 154 bound
constants, which every execution converted and sent again).
"""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, Text, case, func, literal_column


def constant(value: str) -> ColumnElement[str]:
    """A string from the code (a label, a code, a JSON key) as an SQL literal."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def label_case(value: SQLColumnExpression[Any], labels: dict[str, str]) -> ColumnElement[Any]:
    """The label of a code, from the domain's table (one definition of each label)."""
    return case(
        *((value == constant(code), constant(label)) for code, label in labels.items()),
        else_=None,
    )


def json_object(*pairs: Any) -> ColumnElement[Any]:
    """`json_build_object(key, value, …)`, each key (a string) written as a literal."""
    return func.json_build_object(*(constant(p) if i % 2 == 0 else p for i, p in enumerate(pairs)))
