"""`qis projects list | show` and `qis act`: the common work, through the HTTP API.

The token comes from QIS_TOKEN (or --token), the API from QIS_API_URL (or --api-url; default
http://127.0.0.1:$QIS_API_PORT).
"""

import json
from datetime import datetime
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.console import Console
from rich.table import Table

from domain.durations import SHANGHAI
from infra.settings import get_settings

projects_app = typer.Typer(help="项目 / Projects, through the API.", no_args_is_help=True)
console = Console(width=160)

ApiUrl = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        envvar="QIS_API_URL",
        help="API 地址，默认 http://127.0.0.1:$QIS_API_PORT",
        show_default=False,
    ),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="QIS_TOKEN", help="凭证（qis token create 所得）", show_default=False
    ),
]
TIMEOUT = httpx.Timeout(30.0)


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


def _request(
    method: str,
    path: str,
    *,
    api_url: str | None,
    token: str | None,
    params: dict[str, Any] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Call the API; the JSON answer, or the API's Chinese error and exit code 1."""
    if not token:
        _fail("未设置凭证：请设置环境变量 QIS_TOKEN（或 --token），凭证由 qis token create 创建")
    base = api_url or f"http://127.0.0.1:{get_settings().qis_api_port}"
    try:
        response = httpx.request(
            method,
            base.rstrip("/") + path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=body,
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as err:
        _fail(f"无法连接 API（{base}）：{err}；请确认 qis run 已启动，或设置 QIS_API_URL")
    try:
        data = response.json()
    except ValueError:
        _fail(f"API 返回了非 JSON 内容（HTTP {response.status_code}）")
    if response.is_error:
        lines = [f"HTTP {response.status_code}：{data.get('detail', '')}"]
        lines += [f"  - {p['message']}" for p in data.get("errors") or []]
        if data.get("allowed_actions") is not None:
            allowed = "、".join(data["allowed_actions"]) or "（无）"
            lines.append(f"  当前可执行的决定：{allowed}")
        if response.status_code == 503 and "Retry-After" in response.headers:
            lines.append(f"  请在 {response.headers['Retry-After']} 秒后重试")
        _fail("\n".join(lines))
    return data


def _day(value: str | None) -> str:
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d")


def _moment(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@projects_app.command("list")
def list_projects(
    district: Annotated[str | None, typer.Option(help="区代码，如 310115")] = None,
    stage: Annotated[str | None, typer.Option(help="阶段，如 district_named")] = None,
    level: Annotated[str | None, typer.Option(help="级别：none、district、municipal")] = None,
    limit: Annotated[int, typer.Option(help="最多显示条数")] = 100,
    api_url: ApiUrl = None,
    token: Token = None,
) -> None:
    """项目列表 / List the projects your token may see."""
    page = _request(
        "GET",
        "/v1/projects",
        api_url=api_url,
        token=token,
        params={"district": district, "stage": stage, "level": level, "limit": limit},
    )
    table = Table(title=f"项目（共 {page['total']} 个）")
    for column in ("编号", "名称", "区", "阶段", "级别", "下一期限"):
        table.add_column(column, overflow="fold")
    for p in page["items"]:
        table.add_row(
            p["id"],
            p["name"],
            p["district_name"],
            p["stage_label"],
            p["level_label"],
            _day(p["next_deadline"]),
        )
    console.print(table)


def _print_project(p: dict[str, Any], *, history: int | None = None) -> None:
    console.print(f"[bold]{p['name']}[/bold]  （编号 {p['id']}）")
    console.print(
        f"阶段：{p['stage_label']}（{p['stage']}）  级别：{p['level_label']}  "
        f"下一期限：{_day(p['next_deadline'])}"
    )
    unit = p["unit"]
    console.print(
        f"实施单位：{unit['name']}（{unit['credit_code']}）  所在区：{p['district_name']}  "
        f"联系人：{unit['contact']['person']} {unit['contact']['phone']}"
    )
    if p["names"]:
        names = Table(title="名称登记")
        for column in ("级别", "名称", "命名日期", "状态"):
            names.add_column(column, overflow="fold")
        for n in p["names"]:
            ending = n["ending"]
            status = "有效" if ending is None else f"{ending['kind_label']}（{ending['on']}）"
            names.add_row(n["level_label"], n["name"], n["granted_on"], status)
        console.print(names)
    if p["pending_decisions"]:
        pending = Table(title="待办决定")
        for column in ("事项", "决定", "等待", "到期", "状态"):
            pending.add_column(column)
        for t in p["pending_decisions"]:
            state = "已逾期" if t["overdue"] else "未到期"
            pending.add_row(
                t["label"], t["action"], t["waiting_for_label"], _day(t["due_at"]), state
            )
        console.print(pending)
    entries = p["history"] if history is None else p["history"][-history:]
    if entries:
        log = Table(title="历史" if history is None else f"历史（最近 {len(entries)} 条）")
        for column in ("#", "时间", "事件", "由", "摘要"):
            log.add_column(column, overflow="fold")
        for e in entries:
            actor = e["actor"]
            who = f"{actor['role_label']} {actor['label']}".strip() if actor else "系统"
            log.add_row(str(e["seq"]), _moment(e["at"]), e["event"], who, e["summary"])
        console.print(log)
    allowed = "、".join(p["allowed_actions"]) or "（无）"
    console.print(f"你当前可执行的决定：{allowed}")


@projects_app.command("show")
def show(
    project_id: Annotated[str, typer.Argument(metavar="ID", help="项目编号")],
    api_url: ApiUrl = None,
    token: Token = None,
) -> None:
    """项目详情 / Show one project: names, pending decisions, history, your actions."""
    _print_project(_request("GET", f"/v1/projects/{project_id}", api_url=api_url, token=token))


def act(
    project_id: Annotated[str, typer.Argument(metavar="ID", help="项目编号")],
    action: Annotated[str, typer.Argument(metavar="ACTION", help="决定，如 decide-acceptance")],
    body: Annotated[
        str, typer.Option("--json", help="请求体 JSON，如 '{\"passed\": true}'")
    ] = "{}",
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="幂等键：重试时用同一键，只执行一次")
    ] = None,
    api_url: ApiUrl = None,
    token: Token = None,
) -> None:
    """作出决定 / Take a decision on a project (POST /v1/projects/ID/actions/ACTION)."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as err:
        _fail(f"--json 不是有效的 JSON：{err}")
    project = _request(
        "POST",
        f"/v1/projects/{project_id}/actions/{action}",
        api_url=api_url,
        token=token,
        body=payload,
        headers={"Idempotency-Key": idempotency_key} if idempotency_key else None,
    )
    console.print(f"已执行“{action}”。")
    _print_project(project, history=3)


def register(root: typer.Typer) -> None:
    """Add `qis projects …` and `qis act` to the root command."""
    root.add_typer(projects_app, name="projects")
    root.command("act")(act)
