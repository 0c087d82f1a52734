from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from db import tables
from domain.decisions import DecideAcceptance, RequestAcceptance
from domain.stages import Level, Stage
from tests.helpers import DISTRICT_BUREAU, UNIT, eventually, running_worker


async def test_acceptance_passed_grants_the_district_name(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with running_worker(client, session_factory) as h:
        await h.start()
        await h.decide(UNIT, RequestAcceptance())
        state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
        assert state.stage is Stage.DISTRICT_NAMED
        assert state.level is Level.DISTRICT

        async def names() -> list[str]:
            async with session_factory() as s:
                return list(await s.scalars(select(tables.Name.name)))

        assert await eventually(names, bool) == ["浦东新区生物医药质量基础设施“一站式”服务项目"]
