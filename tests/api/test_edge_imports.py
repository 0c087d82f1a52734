"""Imports at the edges: named today, retried with one Idempotency-Key, duplicating a live one.

The API judges a naming date by the wall clock, the workflow by Temporal's; an import named
today must pass both and start its yearly evaluation a year on.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from db import tables
from domain.durations import add_duration, local_date, start_of_day
from tests.api.helpers import Api, project_body


async def project_rows(api: Api) -> int:
    async with api.sessions() as session:
        return await session.scalar(select(func.count()).select_from(tables.Project)) or 0


async def test_an_import_named_today_is_accepted_and_behaves(api: Api) -> None:
    today = local_date(datetime.now(UTC))
    response = await api.post(
        "/v1/projects/import", project_body(district_named_on=today.isoformat())
    )
    assert response.status_code == 201, response.text
    pid = response.json()["id"]
    project = await api.settled(pid)
    assert (project["stage"], project["level"]) == ("district_named", "district")
    [name] = project["names"]
    assert (name["granted_on"], name["active"]) == (today.isoformat(), True)
    assert project["pending_decisions"] == []
    # Its first periodic evaluation is a year after today, nothing is due now.
    expected = add_duration(start_of_day(today), "P1Y")
    due = datetime.fromisoformat(project["schedule"]["next_district_evaluation_at"])
    assert due == expected
    # No evaluation is open for the district bureau (only an off-cycle check, Art. 9.2); the
    # unit may apply for the municipal name.
    assert (await api.project(pid, "district"))["allowed_actions"] == [
        "evaluate-district",
        "report-violation",
    ]
    assert (await api.project(pid, "unit"))["allowed_actions"] == [
        "apply-municipal",
        "update-profile",
        "submit-data",
    ]
    assert (await api.get("/v1/tasks", "district")).json() == []
    # Tomorrow is still refused: an imported project must already be named.
    tomorrow = (today + timedelta(days=1)).isoformat()
    late = await api.post(
        "/v1/projects/import", project_body(focus="集成电路", district_named_on=tomorrow)
    )
    assert late.status_code == 422
    assert f"命名日期{tomorrow}晚于今天（{today.isoformat()}）" in late.json()["detail"]


async def test_an_import_retried_with_one_key_is_answered_once(api: Api) -> None:
    body = project_body(district_named_on="2024-05-20")
    key = {"Idempotency-Key": "import-bio-001"}
    first = await api.post("/v1/projects/import", body, "operator", key)
    second = await api.post("/v1/projects/import", body, "operator", key)
    assert (first.status_code, second.status_code) == (201, 200), second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["names"] == first.json()["names"]
    assert await project_rows(api) == 1


async def test_an_import_duplicating_a_live_project_is_refused(api: Api) -> None:
    live = await api.register()
    duplicate = await api.post("/v1/projects/import", project_body(district_named_on="2024-05-20"))
    assert duplicate.status_code == 409, duplicate.text
    detail = duplicate.json()["detail"]
    assert f"已有“生物医药”方向的在办项目（编号 {live['id']}" in detail
    assert "不能重复登记" in detail
    assert await project_rows(api) == 1
