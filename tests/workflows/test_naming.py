"""Acceptance, withdrawal and the municipal application (docs/regulation.md, first rows)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import tables
from domain.decisions import (
    ApplyMunicipal,
    DecideAcceptance,
    EvaluateMunicipal,
    MunicipalConditions,
    RecommendMunicipal,
    RequestAcceptance,
    Scores,
    Withdraw,
)
from domain.stages import Level, Stage
from domain.state import ProjectState, TaskKind
from tests.helpers import (
    DISTRICT_BUREAU,
    MUNICIPAL_BUREAU,
    OPERATOR,
    SCORES,
    UNIT,
    Harness,
    eventually,
    legal_due,
)

ALL_MET = MunicipalConditions(
    governance=True, steady_service=True, leading_capability=True, replicable_practice=True
)


async def name_district(h: Harness) -> ProjectState:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    return await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))


async def test_acceptance_passed_names_the_project_and_tells_the_unit(
    h: Harness, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await h.start()
    state = await h.decide(OPERATOR, RequestAcceptance())
    assert state.stage is Stage.ACCEPTANCE
    task = state.task(TaskKind.ACCEPTANCE)
    assert task is not None
    assert task.due_at == legal_due(state, task.opened_at, "P30D")
    state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=True))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert state.tasks == []
    name = state.active_name(Level.DISTRICT)
    assert name is not None
    assert name.name == "浦东新区生物医药质量基础设施“一站式”服务项目"
    assert state.next_district_evaluation_at is not None

    async def rows() -> tuple[list[str], list[str], str | None]:
        async with session_factory() as s:
            # The stage first: each statement reads what is committed when it runs, and the
            # step's names and notices are committed with its row.
            stage = await s.scalar(select(tables.Project.stage))
            names = list(await s.scalars(select(tables.Name.name)))
            to = list(await s.scalars(select(tables.Notification.recipient)))
            return names, to, stage

    names, recipients, _ = await eventually(rows, lambda r: r[2] == "district_named")
    assert names == [name.name]
    assert recipients == ["district_bureau:310115", "unit:91310115MA1H7XK2BM"]


async def test_acceptance_failed_returns_to_building(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    state = await h.decide(DISTRICT_BUREAU, DecideAcceptance(passed=False, note="资料不全"))
    assert state.stage is Stage.BUILDING
    assert state.level is Level.NONE
    assert state.names == []
    assert state.tasks == []
    again = await h.decide(UNIT, RequestAcceptance())
    assert again.stage is Stage.ACCEPTANCE


async def test_withdrawal_ends_the_process(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    state = await h.decide(UNIT, Withdraw(reason="暂缓建设"))
    assert state.stage is Stage.WITHDRAWN
    result = await h.handle.result()
    assert result.stage is Stage.WITHDRAWN
    assert result.history[-1].summary == "实施单位撤回：暂缓建设"


async def test_municipal_application_declined_by_the_district(h: Harness) -> None:
    await name_district(h)
    state = await h.decide(UNIT, ApplyMunicipal(conditions=ALL_MET))
    assert state.stage is Stage.MUNICIPAL_RECOMMENDATION
    state = await h.decide(DISTRICT_BUREAU, RecommendMunicipal(recommend=False))
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT


async def test_municipal_evaluation_failed_keeps_the_district_project(h: Harness) -> None:
    await name_district(h)
    await h.decide(UNIT, ApplyMunicipal(conditions=ALL_MET))
    state = await h.decide(DISTRICT_BUREAU, RecommendMunicipal(recommend=True))
    assert state.stage is Stage.MUNICIPAL_EVALUATION
    state = await h.decide(
        MUNICIPAL_BUREAU, EvaluateMunicipal(passed=False, scores=Scores(**SCORES))
    )
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.active_name(Level.MUNICIPAL) is None
    assert state.next_district_evaluation_at is not None


async def test_municipal_evaluation_passed_grants_the_municipal_name(
    h: Harness, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await name_district(h)
    await h.decide(UNIT, ApplyMunicipal(conditions=ALL_MET))
    await h.decide(DISTRICT_BUREAU, RecommendMunicipal(recommend=True))
    state = await h.decide(
        MUNICIPAL_BUREAU, EvaluateMunicipal(passed=True, scores=Scores(**SCORES))
    )
    assert state.stage is Stage.MUNICIPAL_NAMED
    assert state.level is Level.MUNICIPAL
    municipal = state.active_name(Level.MUNICIPAL)
    assert municipal is not None
    assert municipal.name == "上海市生物医药质量基础设施集成服务项目"
    # The district name stands beside it; district evaluations pause.
    assert state.active_name(Level.DISTRICT) is not None
    assert state.next_district_evaluation_at is None
    assert state.next_municipal_review_at is not None
    assert state.next_municipal_review_at.year == municipal.granted_at.year + 3

    async def decisions() -> list[tuple[str, str | None]]:
        async with session_factory() as s:
            rows = await s.execute(
                select(tables.Decision.action, tables.Decision.actor_role).order_by(
                    tables.Decision.seq
                )
            )
            return [(a, r) for a, r in rows]

    recorded = await eventually(decisions, lambda r: len(r) == 5)
    assert recorded == [
        ("request-acceptance", "unit"),
        ("decide-acceptance", "district_bureau"),
        ("apply-municipal", "unit"),
        ("recommend-municipal", "district_bureau"),
        ("evaluate-municipal", "municipal_bureau"),
    ]
