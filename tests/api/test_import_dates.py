"""An import may say when each level was last evaluated; such dates are checked like the
naming dates (not in the future, not before the name they evaluate)."""

from datetime import date, timedelta

import pytest

from tests.api.helpers import Api, project_body


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"district_named_on": "2022-03-01", "district_last_evaluated_on": "2021-12-31"},
            "区级最近评估日期不能早于区级命名日期",
        ),
        (
            {"district_named_on": "2022-03-01", "municipal_last_evaluated_on": "2024-03-01"},
            "未给出市级命名日期时不能给出市级最近评估日期",
        ),
        (
            {
                "district_named_on": "2020-03-01",
                "municipal_named_on": "2022-03-01",
                "municipal_last_evaluated_on": "2021-03-01",
            },
            "市级最近评估日期不能早于市级命名日期",
        ),
    ],
)
async def test_evaluation_dates_out_of_order_are_refused(
    api: Api, dates: dict[str, str], message: str
) -> None:
    response = await api.post("/v1/projects/import", {**project_body(), **dates})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]


async def test_an_evaluation_date_in_the_future_is_refused(api: Api) -> None:
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    body = {**project_body(), "district_named_on": "2022-03-01"}
    response = await api.post(
        "/v1/projects/import", {**body, "district_last_evaluated_on": tomorrow}
    )
    assert response.status_code == 422, response.text
    assert f"最近评估日期{tomorrow}晚于今天" in response.json()["detail"]


async def test_a_recent_evaluation_date_is_accepted(api: Api) -> None:
    body = {**project_body(), "district_named_on": "2022-03-01"}
    last = (date.today() - timedelta(days=30)).isoformat()
    response = await api.post("/v1/projects/import", {**body, "district_last_evaluated_on": last})
    assert response.status_code == 201, response.text
    assert response.json()["stage"] == "district_named"
