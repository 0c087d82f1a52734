"""District reports (`/console/reports`): what is coming until the district-report work lands."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from console.auth import SignedInDep
from console.errors import PageError
from console.templating import render
from domain.actors import Role
from domain.districts import district_name

router = APIRouter(prefix="/console")

READERS = (Role.OPERATOR, Role.MUNICIPAL_BUREAU, Role.DISTRICT_BUREAU)


@router.get("/reports")
async def reports(request: Request, who: SignedInDep) -> Response:
    """The reports page for the roles that will read district figures."""
    if who.caller.role not in READERS:
        readers = "、".join(r.label for r in READERS)
        raise PageError(403, f"区级报告只对{readers}开放，当前凭证为{who.caller.describe()}")
    scope = (
        district_name(who.caller.district)
        if who.caller.role is Role.DISTRICT_BUREAU and who.caller.district
        else "全市16个区"
    )
    return render(request, "reports.html", who=who, scope=scope)
