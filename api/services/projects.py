"""Registering, importing, listing and reading projects."""

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import DuplicateProject, NotFound, NotPermitted
from api.schemas import ProjectCreate, ProjectImport, ProjectPage, ProjectRead
from api.services.recorded import wait_recorded
from api.services.scope import ensure_may_see, scope_clause
from api.services.temporal import TemporalGateway
from api.services.tokens import Caller
from api.services.views import SUMMARY_COLUMNS, project_read, project_summary
from db import open_tasks, tables
from db.read_model import project_row
from domain.actors import Role
from domain.districts import district_name
from domain.policy import Policy
from domain.stages import END_STAGES, Level, Stage
from domain.state import ProjectState
from workflows.start import first_step

_PROJECT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INSERT_ROW = insert(tables.Base.metadata.tables["projects"])
_REF = select(
    tables.Project.id, tables.Project.district, tables.Project.credit_code, tables.Project.stage
).where(tables.Project.id == bindparam("project_id"))


@dataclass(frozen=True)
class ProjectRef:
    """What a route checks before asking a project's process: whose it is and its stage."""

    id: str
    district: str
    credit_code: str
    stage: str


def project_id_for(caller: Caller, idempotency_key: str | None) -> str:
    """A new project's id: random, or derived from the caller's token and Idempotency-Key."""
    if idempotency_key is None:
        return uuid.uuid4().hex
    return hashlib.sha256(f"project:{caller.token_id}:{idempotency_key}".encode()).hexdigest()[:32]


async def load_project(session: AsyncSession, *, caller: Caller, project_id: str) -> ProjectRef:
    """The project's place and stage in the read model; NotFound if unknown, NotPermitted
    outside the caller's scope. Only those columns are read, not the spec or the tasks."""
    row = None
    if _PROJECT_ID.match(project_id):
        row = (await session.execute(_REF, {"project_id": project_id})).one_or_none()
    if row is None:
        raise NotFound(
            f"项目“{project_id[:64]}”不存在，请检查项目编号（可用 GET /v1/projects 查询）"
        )
    ref = ProjectRef(*row)
    ensure_may_see(caller, district=ref.district, credit_code=ref.credit_code)
    return ref


def _ensure_may_register(caller: Caller, body: ProjectCreate) -> None:
    if caller.role is Role.DISTRICT_BUREAU and body.district != caller.district:
        assert caller.district is not None
        raise NotPermitted(
            f"{caller.describe()}只能登记本区项目，该项目所在区为{district_name(body.district)}"
        )
    if caller.role is Role.UNIT and body.unit.credit_code != caller.credit_code:
        raise NotPermitted(
            f"实施单位只能登记本单位的项目：凭证的统一社会信用代码为{caller.credit_code}，"
            f"请求中为{body.unit.credit_code}"
        )


def _read_model_row(state: ProjectState) -> dict[str, Any]:
    # Below the workflow's first sequence number: its own sync always wins.
    return project_row(state).model_copy(update={"state_seq": 0}).model_dump()


async def _exists(session: AsyncSession, project_id: str) -> bool:
    return await session.get(tables.Project, project_id) is not None


async def _live_duplicate(session: AsyncSession, body: ProjectCreate) -> tables.Project | None:
    return await session.scalar(
        select(tables.Project).where(
            tables.Project.credit_code == body.unit.credit_code,
            tables.Project.district == body.district,
            tables.Project.focus == body.focus,
            tables.Project.stage.not_in([s.value for s in END_STAGES]),
        )
    )


async def _answer(
    sessions: async_sessionmaker[AsyncSession],
    temporal: TemporalGateway,
    state: ProjectState,
    caller: Caller,
) -> ProjectRead:
    """The registered project, once everything a reader could look for is written.

    A plain registration's read-model row is written by the request itself. An import's names
    are granted by the process's first step, so the answer waits for that step (the directory
    lists the imported names at once).
    """
    if state.names:
        await wait_recorded(sessions, state.project_id, state.seq, temporal.timeout.total_seconds())
    return project_read(state, caller.actor())


async def register_project(
    *,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    temporal: TemporalGateway,
    caller: Caller,
    body: ProjectCreate,
    policy: Policy,
    idempotency_key: str | None = None,
) -> tuple[ProjectRead, bool]:
    """Register (or import) a project and start its process; (project, created).

    The read-model row is inserted first, inside a transaction, so the partial unique index
    refuses a live duplicate; the workflow is started before the commit, and a Temporal that does
    not answer rolls everything back. A retried request with the same Idempotency-Key finds the
    project it created and returns it with created=False.
    """
    _ensure_may_register(caller, body)
    project_id = project_id_for(caller, idempotency_key)
    if idempotency_key is not None and await _exists(session, project_id):
        await session.close()
        return await _answer(sessions, temporal, await temporal.state(project_id), caller), False

    spec = body.to_spec()
    imported = body.naming() if isinstance(body, ProjectImport) else None
    # The first step, computed once: its row is written before the start, the process starts
    # from it, and the answer shows it.
    first = first_step(project_id, spec, policy, imported, datetime.now(UTC))
    state = first.state
    try:
        # One INSERT, compiled once (no unit of work, no ORM): the row the partial unique index
        # checks (docs/performance.md).
        row = _read_model_row(state)
        await session.execute(_INSERT_ROW, row)
        if row["tasks"] or row["rectification_deadline"]:  # else it has no inbox rows
            await open_tasks.write_new(session, project_id)
    except IntegrityError:
        await session.rollback()
        if idempotency_key is not None and await _exists(session, project_id):
            # The same request, retried while the first was still running.
            await session.close()
            state = await temporal.state(project_id)
            return await _answer(sessions, temporal, state, caller), False
        existing = await _live_duplicate(session, body)
        if existing is None:
            # The conflicting project ended in between: nothing was written, a retry will do.
            raise DuplicateProject(
                "登记时与另一在办项目冲突，该项目刚刚结束；未写入任何内容，请重试"
            ) from None
        raise DuplicateProject(
            f"{body.unit.name}在{district_name(body.district)}已有“{body.focus}”方向的在办项目"
            f"（编号 {existing.id}，{Stage(existing.stage).label}），不能重复登记；"
            "如需重新登记，请先撤回或等待原项目结束"
        ) from None
    try:
        await temporal.start(first, imported=imported)
    except BaseException:
        await session.rollback()
        raise
    await session.commit()
    await session.close()
    return await _answer(sessions, temporal, state, caller), True


async def list_projects(
    *,
    session: AsyncSession,
    caller: Caller,
    district: str | None = None,
    stage: Stage | None = None,
    level: Level | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ProjectPage:
    """The projects in the caller's scope from the read model, newest first."""
    where = [scope_clause(caller)]
    if district is not None:
        where.append(tables.Project.district == district)
    if stage is not None:
        where.append(tables.Project.stage == stage.value)
    if level is not None:
        where.append(tables.Project.level == level.value)
    total = await session.scalar(select(func.count()).select_from(tables.Project).where(*where))
    rows = await session.execute(
        select(*SUMMARY_COLUMNS)
        .where(*where)
        .order_by(tables.Project.registered_at.desc(), tables.Project.id)
        .limit(limit)
        .offset(offset)
    )
    return ProjectPage(
        items=[project_summary(row) for row in rows], total=total or 0, limit=limit, offset=offset
    )


async def get_project(
    *, session: AsyncSession, temporal: TemporalGateway, caller: Caller, project_id: str
) -> ProjectRead:
    """One project, from its workflow's state (ended projects too), with the caller's actions."""
    await load_project(session, caller=caller, project_id=project_id)
    await session.close()  # release the connection while Temporal answers
    state = await temporal.state(project_id)
    return project_read(state, caller.actor())
