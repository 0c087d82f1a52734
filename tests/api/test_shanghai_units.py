"""Art. 2 本市企事业单位: new projects and unit tokens need a Shanghai credit code; what is
stored with another code keeps loading (a release-1 process may hold one)."""

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.services.tokens import TokenError, create_token
from domain.actors import Role
from domain.credit_code import shanghai_problem
from domain.project import ProjectSpec
from tests.api.helpers import Api, project_body
from workflows.inputs import LifecycleInput

FUZHOU = "91350100M000100Y43"  # a valid code, registered in Fuzhou
HISTORIES = Path(__file__).parents[1] / "workflows" / "histories" / "release1"


def unit_with(code: str) -> dict[str, object]:
    unit = dict(project_body()["unit"])
    unit["credit_code"] = code
    return unit


@pytest.mark.parametrize("path", ["/v1/projects", "/v1/projects/import"])
async def test_a_unit_from_elsewhere_is_refused_with_the_reason(api: Api, path: str) -> None:
    body = project_body(unit=unit_with(FUZHOU), district_named_on="2024-05-20")
    if path == "/v1/projects":
        del body["district_named_on"]
    response = await api.post(path, body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert "“350100”，不是上海市" in error["detail"]
    assert "本市企事业单位" in error["detail"]
    assert [e["field"] for e in error["errors"]] == ["unit.credit_code"]


async def test_every_shanghai_example_code_is_accepted(api: Api) -> None:
    for n, code in enumerate(["91310115MA1FL0001N", "91310104MA1FR0002J", "12310000425012345C"]):
        response = await api.post(
            "/v1/projects", project_body(unit=unit_with(code), focus=f"检验检测{n}")
        )
        assert response.status_code == 201, response.text
        assert response.json()["unit"]["credit_code"] == code


async def test_a_unit_token_needs_a_shanghai_code(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory.begin() as session:
        with pytest.raises(TokenError) as refused:
            await create_token(session, role=Role.UNIT, credit_code=FUZHOU, label="福州")
    assert refused.value.args[0] == shanghai_problem(FUZHOU)


def test_a_stored_process_input_with_a_code_from_elsewhere_still_loads() -> None:
    # The first release accepted any valid code; its recorded processes carry one.
    history = json.loads(
        (HISTORIES / "test_withdrawal_ends_the_process.run1.json").read_text(encoding="utf-8")
    )
    started = history["events"][0]["workflowExecutionStartedEventAttributes"]
    payload = started["input"]["payloads"][0]
    stored = LifecycleInput.model_validate_json(base64.b64decode(payload["data"]))
    assert stored.spec.unit.credit_code == FUZHOU
    assert ProjectSpec.model_validate(stored.spec.model_dump()).unit.credit_code == FUZHOU
    assert stored.spec.basic_conditions.unmet() == []  # its bare booleans load as met
