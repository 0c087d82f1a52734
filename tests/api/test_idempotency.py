"""A request retried with the same Idempotency-Key is applied once."""

from sqlalchemy import func, select

from db import tables
from tests.api.helpers import Api, project_body
from tests.helpers import eventually


async def decisions_recorded(api: Api, project_id: str) -> list[str]:
    async with api.sessions() as session:
        rows = await session.scalars(
            select(tables.Decision.action).where(tables.Decision.project_id == project_id)
        )
        return list(rows)


async def test_same_decision_twice_with_one_key_is_applied_once(api: Api) -> None:
    pid = (await api.register())["id"]
    key = {"Idempotency-Key": "accept-2024-05-13-001"}

    first = await api.act(pid, "request-acceptance", {"note": "申请验收"}, "unit", key)
    second = await api.act(pid, "request-acceptance", {"note": "申请验收"}, "unit", key)
    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert second.json()["stage"] == "acceptance"
    assert second.json()["history"] == first.json()["history"]

    project = await api.settled(pid)
    assert [e["event"] for e in project["history"]] == ["register", "request-acceptance"]
    assert await eventually(
        lambda: decisions_recorded(api, pid), lambda rows: rows == ["request-acceptance"]
    )

    # Without the key, the same request is a new decision, which the stage no longer allows.
    again = await api.act(pid, "request-acceptance", {"note": "申请验收"}, "unit")
    assert again.status_code == 409
    assert again.json()["allowed_actions"] == ["withdraw", "update-profile"]
    # The key belongs to the token that sent it: the operator's request with it is its own.
    other = await api.act(pid, "request-acceptance", None, "operator", key)
    assert other.status_code == 409


async def test_registration_retried_with_one_key_creates_one_project(api: Api) -> None:
    key = {"Idempotency-Key": "register-bio-001"}
    first = await api.post("/v1/projects", project_body(), "operator", key)
    second = await api.post("/v1/projects", project_body(), "operator", key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    async with api.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(tables.Project)) == 1
    # Another registration of the same live project, without the key, is a duplicate.
    duplicate = await api.post("/v1/projects", project_body(), "operator")
    assert duplicate.status_code == 409
    assert first.json()["id"] in duplicate.json()["detail"]
