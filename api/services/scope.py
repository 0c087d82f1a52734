"""What each caller may see: operators and the municipal bureau all, a district bureau its
district, a unit its own projects (docs/regulation.md)."""

from sqlalchemy import ColumnElement, true

from api.errors import NotPermitted
from api.services.tokens import Caller
from db import tables
from domain.actors import Role
from domain.districts import district_name


def may_see(caller: Caller, *, district: str, credit_code: str) -> bool:
    """Whether the caller's scope covers a project of that district and unit."""
    if caller.role is Role.DISTRICT_BUREAU:
        return caller.district == district
    if caller.role is Role.UNIT:
        return caller.credit_code == credit_code
    return True


def ensure_may_see(caller: Caller, *, district: str, credit_code: str) -> None:
    """NotPermitted unless the caller's scope covers the project."""
    if may_see(caller, district=district, credit_code=credit_code):
        return
    if caller.role is Role.DISTRICT_BUREAU:
        raise NotPermitted(
            f"该项目属于{district_name(district)}，{caller.describe()}只能查看和处理本区项目"
        )
    raise NotPermitted(
        f"该项目不属于本单位（{caller.credit_code}），实施单位只能查看和处理本单位项目"
    )


def scope_clause(caller: Caller) -> ColumnElement[bool]:
    """The read-model filter for the caller's scope."""
    if caller.role is Role.DISTRICT_BUREAU:
        return tables.Project.district == caller.district
    if caller.role is Role.UNIT:
        return tables.Project.credit_code == caller.credit_code
    return true()
