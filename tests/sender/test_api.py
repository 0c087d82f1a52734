"""GET and PUT /v1/contacts: operator only, 422 naming the field, the webhook secret once."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.services.tokens import create_token
from db import tables
from domain.actors import Role
from tests.helpers import CREDIT_CODE


@pytest.fixture
async def http(dev_env: WorkflowEnvironment, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(client=dev_env.client, database_url=database_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qis") as client,
    ):
        yield client


async def bearer(
    sessions: async_sessionmaker[AsyncSession], role: Role, **scope: str
) -> dict[str, str]:
    async with sessions.begin() as session:
        _, token = await create_token(session, role=role, **scope)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


async def test_only_the_operator_sees_and_sets_contacts(
    http: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    body = {"role": "municipal_bureau", "emails": ["qis@scjgj.example.cn"]}
    assert (await http.get("/v1/contacts")).status_code == 401
    assert (await http.put("/v1/contacts", json=body)).status_code == 401
    unit = await bearer(session_factory, Role.UNIT, credit_code=CREDIT_CODE)
    district = await bearer(session_factory, Role.DISTRICT_BUREAU, district="310115")
    for headers in (unit, district):
        assert (await http.get("/v1/contacts", headers=headers)).status_code == 403
        refused = await http.put("/v1/contacts", json=body, headers=headers)
        assert refused.status_code == 403
        assert "平台运营方" in refused.json()["detail"]


async def test_put_and_get_contacts(
    http: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    operator = await bearer(session_factory, Role.OPERATOR)
    saved = await http.put(
        "/v1/contacts",
        json={
            "role": "district_bureau",
            "district": "310115",
            "emails": ["a@pudong.example.cn", " a@pudong.example.cn", "b@pudong.example.cn"],
            "webhook_url": "https://oa.pudong.example.cn/qis",
        },
        headers=operator,
    )
    assert saved.status_code == 200, saved.text
    first = saved.json()
    assert first["recipient"] == "区市场监管局（浦东新区 310115）"
    assert first["emails"] == ["a@pudong.example.cn", "b@pudong.example.cn"]
    assert first["webhook_secret"].startswith("whsec_")

    # The same webhook again: the secret stays and is not shown; rotate_secret makes a new one.
    again = (
        await http.put(
            "/v1/contacts",
            json={"role": "district_bureau", "district": "310115",
                  "webhook_url": "https://oa.pudong.example.cn/qis"},
            headers=operator,
        )
    ).json()  # fmt: skip
    assert again["webhook_secret"] is None
    assert again["emails"] == []  # PUT replaces
    rotated = (
        await http.put(
            "/v1/contacts",
            json={"role": "district_bureau", "district": "310115", "rotate_secret": True,
                  "webhook_url": "https://oa.pudong.example.cn/qis"},
            headers=operator,
        )
    ).json()  # fmt: skip
    assert rotated["webhook_secret"] not in (None, first["webhook_secret"])
    async with session_factory() as session:
        stored = await session.scalar(
            tables.Contact.__table__.select().with_only_columns(tables.Contact.webhook_secret)
        )
    assert stored == rotated["webhook_secret"]

    listed = await http.get("/v1/contacts", headers=operator)
    assert listed.status_code == 200
    (entry,) = listed.json()
    assert entry["district_name"] == "浦东新区"
    assert entry["webhook_url"] == "https://oa.pudong.example.cn/qis"
    assert "webhook_secret" not in entry
    assert rotated["webhook_secret"] not in listed.text

    # Nothing left: the contact is removed.
    emptied = await http.put(
        "/v1/contacts", json={"role": "district_bureau", "district": "310115"}, headers=operator
    )
    assert emptied.status_code == 200
    assert (await http.get("/v1/contacts", headers=operator)).json() == []


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"role": "mayor"}, "role", "应为以下之一"),
        ({"role": "district_bureau", "district": "310199", "emails": ["a@b.cn"]}, "district", "未知的区代码"),
        ({"role": "municipal_bureau", "district": "310115", "emails": ["a@b.cn"]}, "district", "只有区市场监管局"),
        ({"role": "unit", "credit_code": "91350100M000100Y44", "webhook_url": "https://u.cn/h"}, "credit_code", "校验位"),
        ({"role": "district_bureau", "credit_code": CREDIT_CODE}, "credit_code", "只有实施单位"),
        ({"role": "municipal_bureau", "emails": ["ok@a.cn", "not-an-address"]}, "emails[1]", "格式不正确"),
        ({"role": "municipal_bureau", "webhook_url": "ftp://a.cn/x"}, "webhook_url", "http"),
        ({"role": "municipal_bureau", "rotate_secret": True}, "rotate_secret", "webhook"),
        ({"role": "municipal_bureau", "emails": "a@b.cn"}, "emails", "数组"),
        ({"role": "municipal_bureau", "extra": 1}, "extra", "不允许"),
    ],
)  # fmt: skip
async def test_bad_input_is_422_naming_the_field(
    http: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    body: dict[str, object],
    field: str,
    words: str,
) -> None:
    operator = await bearer(session_factory, Role.OPERATOR)
    response = await http.put("/v1/contacts", json=body, headers=operator)
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert [p["field"] for p in problems] == [field]
    assert words in problems[0]["message"]
