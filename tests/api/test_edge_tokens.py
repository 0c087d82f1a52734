"""A token revoked while its request is in flight, and a revoked token replaying its key.

A request is authorised when it arrives: revoking its token afterwards does not undo it. But a
revoked token gets nothing more, not even the answer to a retry of what it did before.
"""

import pytest

from api.services.temporal import TemporalGateway
from api.services.tokens import revoke_token
from domain.decisions import DecisionRequest
from domain.state import ProjectState
from tests.api.helpers import Api
from tests.api.test_idempotency import decisions_recorded
from tests.helpers import eventually

REVOKED = "凭证无效或已撤消：请向平台运营方申请新凭证（qis token create）"


async def test_a_token_revoked_in_flight_and_then_replaying_its_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = (await api.register())["id"]
    key = {"Idempotency-Key": "accept-in-flight"}
    decide = TemporalGateway.decide
    revoked: list[str] = []

    async def revoke_then_decide(
        self: TemporalGateway, *, project_id: str, request: DecisionRequest, update_id: str | None
    ) -> ProjectState:
        # Past authentication, before the decision reaches the process: the token is revoked.
        async with api.sessions.begin() as session:
            row = await revoke_token(session, api.tokens["unit"])
            revoked.append(row.id)
        return await decide(self, project_id=project_id, request=request, update_id=update_id)

    monkeypatch.setattr(TemporalGateway, "decide", revoke_then_decide)
    in_flight = await api.act(pid, "request-acceptance", None, "unit", key)
    monkeypatch.undo()
    assert len(revoked) == 1
    assert in_flight.status_code == 200, in_flight.text
    assert [e["event"] for e in in_flight.json()["history"]] == ["register", "request-acceptance"]

    # The same request replayed with the revoked token: 401, and nothing applied again.
    replay = await api.act(pid, "request-acceptance", None, "unit", key)
    assert replay.status_code == 401
    assert replay.json()["detail"] == REVOKED
    assert replay.headers["WWW-Authenticate"] == "Bearer"
    read = await api.get(f"/v1/projects/{pid}", "unit")
    assert read.status_code == 401
    project = await api.settled(pid)
    assert [e["event"] for e in project["history"]] == ["register", "request-acceptance"]
    assert await eventually(
        lambda: decisions_recorded(api, pid), lambda rows: rows == ["request-acceptance"]
    )
