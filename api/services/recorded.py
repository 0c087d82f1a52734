"""Read your writes: a decision is answered once its step's transaction is in the database.

The workflow writes everything one step produces (decision record, names, outbox rows and the
`projects` row with the step's sequence number) in one transaction. So when the `projects` row
has reached the sequence number the update answered with, every read the API serves (inbox,
lists, the project, the directory, the reports) already shows the decision. There is one
writer per fact (the step), and the API only waits for it.
"""

import asyncio

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import Unavailable
from db import tables

RETRY_AFTER_SECONDS = 5
# Start checking soon (a step usually lands within tens of milliseconds), back off to a
# gentle interval when the worker is busy.
FIRST_POLL = 0.005
LAST_POLL = 0.1
NOT_YET = (
    "决定已被流程接受，但记录仍在写入（流程服务繁忙或数据库暂不可用）；"
    "请稍后查看项目，或带同一 Idempotency-Key 重试：只会得到同一结果，不会重复执行"
)


async def recorded_seq(sessions: async_sessionmaker[AsyncSession], project_id: str) -> int:
    """The sequence number of the project's newest step in the database (-1: no row)."""
    async with sessions() as session:
        seq = await session.scalar(
            select(tables.Project.state_seq).where(tables.Project.id == project_id)
        )
    return -1 if seq is None else seq


async def wait_recorded(
    sessions: async_sessionmaker[AsyncSession], project_id: str, seq: int, within: float
) -> None:
    """Return once the project's step `seq` is written; `Unavailable` if it is not in time."""
    interval = FIRST_POLL
    try:
        async with asyncio.timeout(within):
            while await recorded_seq(sessions, project_id) < seq:
                await asyncio.sleep(interval)
                interval = min(interval * 2, LAST_POLL)
    except (TimeoutError, OperationalError, DBAPIError, OSError) as err:
        raise Unavailable(NOT_YET, RETRY_AFTER_SECONDS) from err
