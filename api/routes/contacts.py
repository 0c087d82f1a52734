"""Where notifications go (operator only): the contacts `qis contacts` also edits."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from api.auth import require_roles
from api.deps import SessionDep
from api.openapi import error_responses
from api.schemas import DeliveryContactRead, DeliveryContactSaved, DeliveryContactWrite
from api.services.contacts import list_contacts, set_contact
from api.services.tokens import Caller
from domain.actors import Role

router = APIRouter(prefix="/v1", tags=["通知"])

Operator = Annotated[Caller, Depends(require_roles(Role.OPERATOR, what="管理通知联系方式"))]

EXAMPLES = {
    "区局邮箱": {
        "summary": "浦东新区市场监管局的两个收件邮箱",
        "value": {
            "role": "district_bureau",
            "district": "310115",
            "emails": ["zhiliang@pudong.example.cn", "keshi@pudong.example.cn"],
        },
    },
    "市局邮箱和webhook": {
        "summary": "市市场监管局的邮箱与办公系统 webhook",
        "value": {
            "role": "municipal_bureau",
            "emails": ["qis@scjgj.example.cn"],
            "webhook_url": "https://oa.example.cn/hooks/qis",
        },
    },
    "单位webhook": {
        "summary": "某实施单位的 webhook（邮件发往项目联系人邮箱）",
        "value": {
            "role": "unit",
            "credit_code": "91310115MA1H7XK2BM",
            "webhook_url": "https://unit.example.cn/qis",
        },
    },
}


@router.get(
    "/contacts",
    summary="通知联系方式",
    response_description="已登记的联系方式",
    description="各收件方的邮箱和 webhook（不含签名密钥）。实施单位的邮件另发往其项目联系人邮箱。仅平台运营方。",
    responses=error_responses(401, 403, 503),
)
async def contacts(session: SessionDep, caller: Operator) -> list[DeliveryContactRead]:
    """The registered contacts."""
    return await list_contacts(session)


@router.put(
    "/contacts",
    summary="登记通知联系方式",
    response_description="保存后的联系方式；新设 webhook 时附签名密钥（只返回这一次）",
    description="按角色及区代码或信用代码登记（整体替换）：emails 为空且无 webhook_url 即删除。"
    "设置新的 webhook 地址（或 rotate_secret）时生成签名密钥 whsec_…，只在本次响应中返回。"
    "仅平台运营方。",
    responses=error_responses(401, 403, 422, 503),
)
async def put_contact(
    session: SessionDep,
    caller: Operator,
    body: Annotated[DeliveryContactWrite, Body(openapi_examples=EXAMPLES)],
) -> DeliveryContactSaved:
    """Replace one contact."""
    saved = await set_contact(
        session,
        role=body.role,
        district=body.district,
        credit_code=body.credit_code,
        emails=body.emails,
        webhook_url=body.webhook_url,
        rotate_secret=body.rotate_secret,
    )
    await session.commit()
    return saved
