"""The `qis token` and `qis projects` / `qis act` commands, against the test database and a
real HTTP server for the API."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
import uvicorn
from sqlalchemy import select
from typer.testing import CliRunner, Result

from api.app import create_app
from db import tables
from qis import cli_projects, cli_tokens
from tests.api.helpers import Api
from tests.helpers import eventually

root = typer.Typer()
cli_tokens.register(root)
cli_projects.register(root)


async def qis(*args: str) -> Result:
    """Run a `qis` command in a thread (it runs its own event loop, as the real one does)."""

    def invoke() -> Result:
        return CliRunner().invoke(root, list(args))

    return await asyncio.to_thread(invoke)


async def test_token_create_list_revoke(api: Api) -> None:
    db = ["--database-url", api.database_url]
    created = await qis(
        "token", "create", "--role", "district_bureau", "--district", "310115",
        "--label", "浦东局 王五", *db,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert len(token) >= 43
    assert " " not in token
    assert "浦东新区" in created.output

    response = await api.http.get("/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200

    async with api.sessions() as session:
        row = await session.scalar(select(tables.Token).where(tables.Token.label == "浦东局 王五"))
    assert row is not None
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(row, c.key) for c in tables.Token.__table__.columns])

    listed = await qis("token", "list", *db)
    assert listed.exit_code == 0, listed.output
    assert row.id[:12] in listed.output
    assert "浦东新区 310115" in listed.output

    revoked = await qis("token", "revoke", row.id[:8], *db)
    assert revoked.exit_code == 0, revoked.output
    assert "已撤消" in revoked.output
    response = await api.http.get("/v1/projects", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "撤消" in response.json()["detail"]
    assert "已撤消" in (await qis("token", "list", *db)).output


async def test_token_create_checks_the_scope(api: Api) -> None:
    db = ["--database-url", api.database_url]
    unit = await qis(
        "token", "create", "--role", "unit", "--credit-code", "91310115MA1H7XK2BM", *db
    )
    assert unit.exit_code == 0, unit.output
    operator = await qis("token", "create", "--role", "operator", "--label", "运营", *db)
    assert operator.exit_code == 0, operator.output
    for args, words in [
        (["--role", "district_bureau"], "--district"),
        (["--role", "district_bureau", "--district", "310199"], "未知的区代码"),
        (["--role", "unit"], "--credit-code"),
        (["--role", "unit", "--credit-code", "91350100M000100Y44"], "校验位"),
        (["--role", "operator", "--district", "310115"], "不需要 --district"),
        (["--role", "municipal_bureau", "--credit-code", "91310115MA1H7XK2BM"], "不需要"),
        (["--role", "mayor"], "mayor"),
    ]:
        result = await qis("token", "create", *args, *db)
        assert result.exit_code != 0, args
        assert words in result.output, (args, result.output)
    unknown = await qis("token", "revoke", "ffffffff", *db)
    assert unknown.exit_code == 2
    assert "找不到" in unknown.output


@asynccontextmanager
async def served(api: Api) -> AsyncIterator[str]:
    """The API on a loopback port, as `qis run` serves it; yields its URL."""
    app = create_app(client=api.client, database_url=api.database_url, task_queue=api.task_queue)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:

        async def started() -> bool:
            return server.started

        await eventually(started, bool)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_projects_and_act_through_http(api: Api) -> None:
    pid = (await api.register())["id"]
    async with served(api) as url:
        as_operator = ["--api-url", url, "--token", api.tokens["operator"]]
        listed = await qis("projects", "list", *as_operator)
        assert listed.exit_code == 0, listed.output
        assert pid in listed.output
        assert "建设中" in listed.output

        shown = await qis("projects", "show", pid, *as_operator)
        assert shown.exit_code == 0, shown.output
        assert "浦东新区生物医药质量基础设施“一站式”服务项目" in shown.output
        assert "request-acceptance" in shown.output

        as_unit = ["--api-url", url, "--token", api.tokens["unit"]]
        acted = await qis(
            "act", pid, "request-acceptance", "--json", '{"note": "建设完成"}', *as_unit
        )
        assert acted.exit_code == 0, acted.output
        assert "验收中" in acted.output

        refused = await qis("act", pid, "decide-acceptance", "--json", '{"passed": true}', *as_unit)
        assert refused.exit_code == 1
        assert "HTTP 403" in refused.output
        assert "区市场监管局" in refused.output

        bad = await qis("act", pid, "withdraw", "--json", "{reason", *as_unit)
        assert bad.exit_code == 1
        assert "不是有效的 JSON" in bad.output

        missing = await qis("projects", "list", "--api-url", url, "--token", "")
        assert missing.exit_code == 1
        assert "QIS_TOKEN" in missing.output
