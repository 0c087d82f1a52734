"""False material, false data or serious violations (Art. 10, docs/regulation.md)."""

from temporalio.testing import WorkflowEnvironment

from domain.actors import Role
from domain.decisions import (
    ApplyMunicipal,
    Finding,
    RecommendMunicipal,
    ReportViolation,
    RequestAcceptance,
    ReviewMunicipal,
    Scores,
)
from domain.stages import Level, Stage
from domain.state import TaskKind
from tests.helpers import DISTRICT_BUREAU, MUNICIPAL_BUREAU, SCORES, UNIT, Harness
from tests.workflows.test_evaluations import name_municipal, until
from tests.workflows.test_naming import ALL_MET, name_district

FALSE_DATA = Finding.FALSE_DATA
NOTE = "查实的事实"


async def test_district_finding_before_naming_rejects_the_application(h: Harness) -> None:
    await h.start()
    await h.decide(UNIT, RequestAcceptance())
    state = await h.decide(
        DISTRICT_BUREAU, ReportViolation(scope="district", finding=FALSE_DATA, note=NOTE)
    )
    assert state.stage is Stage.REJECTED
    assert state.names == []
    assert (await h.handle.result()).stage is Stage.REJECTED


async def test_district_finding_after_naming_revokes_and_ends(h: Harness) -> None:
    await name_district(h)
    state = await h.decide(
        DISTRICT_BUREAU,
        ReportViolation(scope="district", finding=Finding.FALSE_MATERIAL, note=NOTE),
    )
    assert state.stage is Stage.REVOKED
    assert state.level is Level.NONE
    ending = state.names[0].ending
    assert ending is not None
    assert (ending.kind, ending.by, ending.reason) == (
        "revoked",
        Role.DISTRICT_BUREAU,
        "提供虚假材料（第十条）",
    )


# A district finding after municipal naming: tests/workflows/test_fidelity_rules.py (referral,
# rules 2) and tests/workflows/test_fidelity_release.py (both names end, rules 1). The history
# this module recorded for it (release 1 and 2) still replays.


async def test_municipal_finding_before_municipal_naming_ends_only_the_application(
    h: Harness,
) -> None:
    await name_district(h)
    await h.decide(UNIT, ApplyMunicipal(conditions=ALL_MET))
    await h.decide(DISTRICT_BUREAU, RecommendMunicipal(recommend=True))
    state = await h.decide(
        MUNICIPAL_BUREAU, ReportViolation(scope="municipal", finding=FALSE_DATA, note=NOTE)
    )
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert state.task(TaskKind.MUNICIPAL_EVALUATION) is None


async def test_revoking_the_municipal_name_keeps_the_district_name(
    workflow_env: WorkflowEnvironment, h: Harness
) -> None:
    await name_municipal(h)
    await until(workflow_env, h, TaskKind.MUNICIPAL_REVIEW)
    await h.decide(MUNICIPAL_BUREAU, ReviewMunicipal(passed=False, scores=Scores(**SCORES)))
    # Found during rectification: the municipal name is revoked, the district one stands.
    state = await h.decide(
        MUNICIPAL_BUREAU,
        ReportViolation(scope="municipal", finding=Finding.SERIOUS_VIOLATION, note=NOTE),
    )
    assert state.stage is Stage.DISTRICT_NAMED
    assert state.level is Level.DISTRICT
    assert state.rectification_deadline is None
    assert state.next_district_evaluation_at is not None
    district, municipal = state.names
    assert district.ending is None
    assert municipal.ending is not None
    assert (municipal.ending.kind, municipal.ending.by) == ("revoked", Role.MUNICIPAL_BUREAU)
