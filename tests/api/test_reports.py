"""The district figures (Art. 9.1, 9.4) against a hand-built scenario in three districts, the
CSV, the scope of each caller, and a district report that freezes its district's figures."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from api.services.tokens import create_token
from db import tables
from domain.actors import Role
from domain.durations import local_date, start_of_day
from domain.periods import previous_period
from tests.api.helpers import Api, project_body
from tests.helpers import eventually
from workflows import report_workflow_id
from workflows.district_report import DistrictReport, DistrictReportInput

PUDONG, XUHUI, HUANGPU = "310115", "310104", "310101"


async def _import(api: Api, focus: str, district: str, **dates: date) -> str:
    body = project_body(
        focus=focus, district=district, **{k: v.isoformat() for k, v in dates.items()}
    )
    response = await api.post("/v1/projects/import", body)
    assert response.status_code == 201, response.text
    pid: str = response.json()["id"]
    return pid


def _data(period: str, smes: int, services: dict[str, int]) -> dict[str, Any]:
    return {"period": period, "smes_served": smes, "services": services, "improvements": "成效"}


async def _figures(api: Api, period: str, who: str = "municipal") -> dict[str, dict[str, Any]]:
    response = await api.get("/v1/reports/districts", who, {"period": period})
    assert response.status_code == 200, response.text
    return {row["district"]: row for row in response.json()}


async def test_figures_of_a_hand_built_scenario_and_a_frozen_district_report(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    today = local_date(await workflow_env.get_current_time())
    last, this = str(today.year - 1), str(today.year)
    y1 = today.year - 1
    a = await _import(api, "甲", PUDONG, district_named_on=date(y1, 3, 1))
    await api.register(focus="乙", district=PUDONG)
    c = await _import(
        api, "丙", XUHUI, district_named_on=date(y1, 2, 1), municipal_named_on=date(y1, 6, 1)
    )
    d = await _import(api, "丁", HUANGPU, district_named_on=date(y1, 4, 1))
    e = await _import(api, "戊", HUANGPU, district_named_on=date(y1, 5, 1))

    await api.decide(a, "evaluate-district", {"meets_conditions": True}, "district")
    await api.decide(a, "submit-data", _data(last, 10, {"metrology": 5, "standards": 2}), "unit")
    await api.decide(c, "submit-data", _data(last, 20, {"inspection_testing": 7}), "unit")
    await api.decide(c, "submit-data", _data(last, 25, {"inspection_testing": 9}), "unit")
    for pid in (d, e):  # another district's bureau: 黄浦's own token is not in CALLERS
        assert (
            await api.act(pid, "evaluate-district", {"meets_conditions": True}, "district")
        ).status_code == 403
    await _huangpu_ends(api, d, e)
    for pid in (a, c, d, e):
        await api.settled(pid)

    figures = await _figures(api, last)
    assert len(figures) == 16
    assert figures[PUDONG]["names_granted"] == {"district": 1, "municipal": 0}
    assert figures[XUHUI]["names_granted"] == {"district": 1, "municipal": 1}
    assert figures[HUANGPU]["names_granted"] == {"district": 2, "municipal": 0}
    assert (figures[PUDONG]["smes_served"], figures[XUHUI]["smes_served"]) == (10, 25)
    assert figures[PUDONG]["services"]["metrology"] == 5
    assert figures[PUDONG]["services"]["standards"] == 2
    assert figures[XUHUI]["services"]["inspection_testing"] == 9  # the correction counts
    for district in (PUDONG, XUHUI):
        row = figures[district]
        assert row["data_on_time"] + row["data_late"] == 1
    assert figures["310151"]["smes_served"] == 0

    now = await _figures(api, this)
    assert now[PUDONG]["evaluations_passed"] == 1
    assert now[PUDONG]["projects_by_stage"]["building"] == 1
    assert now[PUDONG]["projects_by_level"] == {"district": 1, "municipal": 0}
    assert now[XUHUI]["projects_by_level"] == {"district": 0, "municipal": 1}
    assert (now[HUANGPU]["evaluations_failed"], now[HUANGPU]["names_cancelled"]) == (1, 1)
    assert now[HUANGPU]["names_revoked"] == 1
    assert now[HUANGPU]["projects_by_level"] == {"district": 0, "municipal": 0}
    assert now[HUANGPU]["decisions_overdue"] == 0

    # The year ends: each named project owes its figures; one comes in on time.
    new_year = start_of_day(date(today.year + 1, 1, 1)) + timedelta(hours=1)
    await workflow_env.sleep(new_year - await workflow_env.get_current_time())
    owed = await eventually(
        lambda: _figures(api, this),
        lambda f: f[PUDONG]["data_missing"] == 1 and f[XUHUI]["data_missing"] == 1,
    )
    assert owed[HUANGPU]["data_missing"] == 0
    await api.decide(a, "submit-data", _data(this, 3, {"metrology": 1}), "unit")
    after = await _figures(api, this)
    assert (after[PUDONG]["data_on_time"], after[PUDONG]["data_missing"]) == (1, 0)

    # 浦东 submits its report for last year: frozen, told, and then closed to corrections.
    response = await api.post(
        f"/v1/districts/{PUDONG}/reports/{last}/submit", {"note": "请审阅"}, "district"
    )
    assert response.status_code == 200, response.text
    frozen = response.json()
    assert frozen["report_submitted"] is True
    assert frozen["smes_served"] == 10
    again = await api.post(f"/v1/districts/{PUDONG}/reports/{last}/submit", None, "district")
    assert again.status_code == 409
    assert "已于" in again.json()["detail"]
    correction = await api.act(a, "submit-data", _data(last, 99, {"metrology": 9}), "unit")
    assert correction.status_code == 409
    assert "已冻结" in correction.json()["detail"]
    assert (await _figures(api, last))[PUDONG] == frozen
    async with api.sessions() as session:
        told = await session.scalars(
            select(tables.Notification).where(
                tables.Notification.project_id == f"district-report-{PUDONG}-{last}",
                tables.Notification.recipient_role == "municipal_bureau",
            )
        )
        assert any("报送" in n.subject for n in told)


async def _huangpu_ends(api: Api, cancelled: str, revoked: str) -> None:
    """黄浦's bureau cancels one name (failed evaluation) and revokes the other (Art. 10)."""
    token = await _district_token(api, HUANGPU)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"meets_conditions": False, "note": "场地不再具备"}
    response = await api.http.post(
        f"/v1/projects/{cancelled}/actions/evaluate-district", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    finding = {"scope": "district", "finding": "false_data", "note": "数据不实"}
    response = await api.http.post(
        f"/v1/projects/{revoked}/actions/report-violation", json=finding, headers=headers
    )
    assert response.status_code == 200, response.text


async def _district_token(api: Api, district: str) -> str:
    async with api.sessions.begin() as session:
        _, token = await create_token(
            session, role=Role.DISTRICT_BUREAU, district=district, label="黄浦"
        )
    return token


async def test_each_caller_sees_its_scope_and_the_csv_opens_with_chinese_headers(api: Api) -> None:
    response = await api.get("/v1/reports/districts", "district", {"period": "2025"})
    assert response.status_code == 200
    assert [row["district"] for row in response.json()] == [PUDONG]
    assert (await api.get("/v1/reports/districts", "unit", {"period": "2025"})).status_code == 403
    assert (await api.get("/v1/reports/districts", None, {"period": "2025"})).status_code == 401
    bad = await api.get("/v1/reports/districts", "municipal", {"period": "2025-13"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "period"

    csv = await api.get("/v1/reports/districts.csv", "operator", {"period": "2025"})
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith(b"\xef\xbb\xbf")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("区代码,区,数据周期,有效区级项目数,有效市级项目数")
    assert len(lines) == 17
    assert lines[1].startswith("310101,黄浦区,2025,0,0")
    mine = await api.get("/v1/reports/districts.csv", "district", {"period": "2025"})
    assert len(mine.content.decode("utf-8-sig").splitlines()) == 2


async def test_only_the_districts_own_bureau_submits_and_only_an_ended_period(api: Api) -> None:
    url = f"/v1/districts/{XUHUI}/reports/2025/submit"
    assert (await api.post(url, None, "district")).status_code == 403  # 浦东's bureau
    assert (await api.post(url, None, "municipal")).status_code == 403
    assert (
        await api.post("/v1/districts/999999/reports/2025/submit", None, "district")
    ).status_code == 404
    assert (
        await api.post(f"/v1/districts/{PUDONG}/reports/20x5/submit", None, "district")
    ).status_code == 422
    future = await api.post(f"/v1/districts/{PUDONG}/reports/2999/submit", None, "district")
    assert future.status_code == 409
    assert "尚未结束" in future.json()["detail"]


async def _inbox_reports(api: Api, who: str) -> list[dict[str, Any]]:
    response = await api.get("/v1/tasks", who)
    assert response.status_code == 200, response.text
    return [t for t in response.json() if t["kind"] == "district_report"]


async def test_an_owed_report_is_in_the_inbox_until_it_is_in_and_its_note_reaches_the_city(
    api: Api, workflow_env: WorkflowEnvironment
) -> None:
    # A period that ended over a year ago: its report is overdue the moment it opens.
    now = await workflow_env.get_current_time()
    period = previous_period(previous_period(now).start - timedelta(microseconds=1))
    report_id = report_workflow_id(PUDONG, period.label)
    await api.client.start_workflow(
        DistrictReport.run,
        DistrictReportInput(district=PUDONG, period=period.label),
        id=report_id,
        task_queue=api.task_queue,
    )
    [owed] = await eventually(
        lambda: _inbox_reports(api, "district"), lambda r: len(r) == 1 and r[0]["escalated"]
    )
    assert owed["project_id"] is None
    assert owed["action"] is None
    assert owed["project_name"] == f"浦东新区{period.label}周期区级报告"
    assert owed["label"] == f"报送区级报告：{period.label}"
    assert (owed["period"], owed["district"], owed["waiting_for"]) == (
        period.label,
        PUDONG,
        "district_bureau",
    )
    assert owed["overdue"] is True
    assert owed["supervising"] is False
    assert owed["due_on"] is not None
    [supervised] = await _inbox_reports(api, "municipal")
    assert supervised["supervising"] is True
    assert [t["district"] for t in await _inbox_reports(api, "operator")] == [PUDONG]
    assert await _inbox_reports(api, "unit") == []
    other = await _district_token(api, XUHUI)
    response = await api.http.get("/v1/tasks", headers={"Authorization": f"Bearer {other}"})
    assert [t for t in response.json() if t["kind"] == "district_report"] == []

    bad = await api.post(
        f"/v1/districts/{PUDONG}/reports/{period.label}/submit", {"note": "核对\x00"}, "district"
    )
    assert bad.status_code == 422
    assert "控制字符" in bad.json()["detail"]
    response = await api.post(
        f"/v1/districts/{PUDONG}/reports/{period.label}/submit",
        {"note": "本区数据已核对"},
        "district",
    )
    assert response.status_code == 200, response.text
    # Read your writes: the inbox no longer holds it, for anyone.
    for who in ("district", "municipal", "operator"):
        assert await _inbox_reports(api, who) == []
    async with api.sessions() as session:
        told = list(
            await session.scalars(
                select(tables.Notification.body).where(
                    tables.Notification.key == f"{report_id}/submitted"
                )
            )
        )
    assert len(told) == 1
    assert told[0].endswith("本区数据已核对")
