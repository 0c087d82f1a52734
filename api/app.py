"""The FastAPI application: one Temporal client and one engine per process, made in the lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from temporalio.client import Client

from api import handlers, metrics
from api.deps import Resources
from api.openapi import install_docs
from api.routes import actions, contacts, directory, health, projects, reports, tasks
from api.services.temporal import TemporalGateway
from console.app import install as install_console
from db.engine import API_CONNECTIONS, make_engine, make_session_factory
from domain.policy import Policy
from infra.settings import get_settings
from infra.temporal import connect
from workflows import TASK_QUEUE

DESCRIPTION = """
上海市质量基础设施集成服务项目全生命周期管理接口（《上海市质量基础设施集成服务项目管理办法（试行）》）。

**凭证**：除 `/v1/directory` 与 `/healthz` 外，每个请求都要带 `Authorization: Bearer <凭证>`。
凭证由平台运营方用 `qis token create --role ROLE [--district 区代码] [--credit-code 信用代码]` 创建，
可用 `qis token revoke` 撤消。

**错误**：401 缺少或无效凭证；403 角色或范围不允许；404 项目不存在；409 当前阶段不接受（附
`allowed_actions`）；422 请求有误（`errors` 指明字段）；503 流程服务或数据库暂不可用（附 `Retry-After`）。

**幂等**：决定和登记请求可带 `Idempotency-Key` 头，同一凭证以同一键重发只执行一次。
"""

TAGS = [
    {"name": "项目", "description": "登记、导入、列表与详情"},
    {"name": "决定", "description": "申请、验收、评估、整改、撤消等决定（每个决定一个接口）"},
    {"name": "待办", "description": "等待调用者作出的决定"},
    {"name": "公开名录", "description": "已命名项目（无需凭证）"},
    {"name": "区级统计", "description": "各区统计数据与区级报告（第九条第一项、第四项）"},
    {"name": "通知", "description": "通知的接收人：各区局、市局邮箱与 Webhook（运营方）"},
    {"name": "运维", "description": "健康检查与 Prometheus 指标"},
]


def create_app(
    *,
    client: Client | None = None,
    database_url: str | None = None,
    task_queue: str = TASK_QUEUE,
    policy: Policy | None = None,
    temporal_timeout: timedelta = timedelta(seconds=10),
) -> FastAPI:
    """The API; what is not given comes from the environment (infra.settings) in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Connect Temporal, make the engine, load the policy; dispose of the engine after."""
        settings = get_settings()
        temporal_client = client or await connect(
            settings.temporal_address or "127.0.0.1:7233", settings.temporal_namespace
        )
        url = database_url or settings.database_url
        if not url:
            raise RuntimeError(
                "未设置 DATABASE_URL：API 需要 PostgreSQL 连接串（postgresql+asyncpg://…），"
                "或由运行命令启动内置数据库"
            )
        engine = make_engine(url, connections=API_CONNECTIONS)
        app.state.resources = Resources(
            temporal=TemporalGateway(
                temporal_client, task_queue=task_queue, timeout=temporal_timeout
            ),
            sessions=make_session_factory(engine),
            # A running process keeps the policy it started with (docs/api-guide.md).
            policy=policy or settings.policy(),
        )
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="QIS 质量基础设施集成服务项目 API",
        description=DESCRIPTION,
        version="0.1.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    handlers.install(app)
    app.add_middleware(metrics.ObserveRequests)
    for module in (projects, actions, tasks, directory, reports, contacts, health):
        app.include_router(module.router)
    install_console(app)  # the pages under /console (docs/console.md)
    install_docs(app)
    return app
