"""The name a project goes by once every name has ended: the one it held last."""

from domain.decisions import Finding, ReportViolation
from tests.domain.conftest import (
    DISTRICT_BUREAU,
    DISTRICT_NAME,
    MUNICIPAL_BUREAU,
    decide,
    municipal_named,
    notifications,
    utc,
)


def test_after_the_last_name_ends_the_project_goes_by_that_name() -> None:
    state = municipal_named()
    municipal = ReportViolation(scope="municipal", finding=Finding.FALSE_DATA, note="数据不实")
    decide(state, MUNICIPAL_BUREAU, municipal, utc(2024, 8, 1, 2))
    assert state.display_name == DISTRICT_NAME  # the district name still stands
    district = ReportViolation(
        scope="district", finding=Finding.SERIOUS_VIOLATION, note="存在严重违法行为"
    )
    effects = decide(state, DISTRICT_BUREAU, district, utc(2024, 8, 2, 2))
    # Both names have ended; the district one ended last, so it titles the notice.
    assert state.display_name == DISTRICT_NAME
    assert notifications(effects)[0].subject.startswith(f"【{DISTRICT_NAME}】")
