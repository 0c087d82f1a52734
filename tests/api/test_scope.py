"""Who may register, import and read which projects (docs/regulation.md, docs/api-guide.md)."""

from typing import Any

from tests.api.helpers import OTHER_DISTRICT, Api, project_body

EVERYONE: list[str | None] = [
    "operator", "unit", "district", "municipal", "other_district", "other_unit", None,
]  # fmt: skip


async def test_who_may_register_and_import(api: Api) -> None:
    expected = {
        "operator": 201,
        "unit": 201,
        "district": 201,
        "municipal": 403,
        "other_district": 403,
        "other_unit": 403,
        None: 401,
    }
    for index, who in enumerate(EVERYONE):
        body = project_body(focus=f"登记{index}")
        response = await api.post("/v1/projects", body, who)
        assert response.status_code == expected[who], (who, response.text)
        imported = await api.post(
            "/v1/projects/import",
            {**body, "focus": f"导入{index}", "district_named_on": "2024-05-20"},
            who,
        )
        assert imported.status_code == (201 if who == "operator" else 401 if who is None else 403)
    # A district bureau registers in its own district only, whatever the unit.
    other = await api.post("/v1/projects", project_body(district=OTHER_DISTRICT), "other_district")
    assert other.status_code == 201


async def test_lists_and_reads_are_scoped(api: Api) -> None:
    ours = (await api.register(focus="生物医药"))["id"]
    theirs = (await api.register(focus="集成电路", district=OTHER_DISTRICT))["id"]
    await api.settled(ours)
    await api.settled(theirs)

    async def listed(who: str, **params: str) -> set[str]:
        response = await api.get("/v1/projects", who, params=params)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        assert page["total"] == len(page["items"])
        return {p["id"] for p in page["items"]}

    assert await listed("operator") == {ours, theirs}
    assert await listed("municipal") == {ours, theirs}
    assert await listed("district") == {ours}
    assert await listed("other_district") == {theirs}
    assert await listed("unit") == {ours, theirs}  # both are this unit's
    assert await listed("other_unit") == set()
    assert await listed("operator", district=OTHER_DISTRICT) == {theirs}
    assert await listed("district", district=OTHER_DISTRICT) == set()
    assert await listed("operator", stage="building", level="none") == {ours, theirs}
    assert await listed("operator", level="district") == set()

    assert (await api.get(f"/v1/projects/{ours}", "district")).status_code == 200
    denied = await api.get(f"/v1/projects/{ours}", "other_district")
    assert denied.status_code == 403
    assert "浦东新区" in denied.json()["detail"]
    assert (await api.get(f"/v1/projects/{ours}", "other_unit")).status_code == 403
    assert (await api.get(f"/v1/projects/{ours}", None)).status_code == 401
    bad = await api.http.get(f"/v1/projects/{ours}", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"
    assert (await api.get("/v1/tasks", None)).status_code == 401
