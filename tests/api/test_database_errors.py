"""A database that cannot serve now is a 503 with Retry-After; any other database error is a bug."""

import json

import pytest
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request

from api.handlers import database_error


class PostgresError(Exception):
    """What the asyncpg dialect hands SQLAlchemy: a driver error carrying its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/v1/tasks", "headers": []})


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [
        ("57P03", "the database system is starting up"),
        ("57P01", "terminating connection due to administrator command"),
        ("08006", "connection failure"),
        ("53300", "too many connections for role"),
    ],
)
async def test_a_server_starting_stopping_or_full_is_unavailable(
    sqlstate: str, message: str
) -> None:
    err = DBAPIError("SELECT 1", None, PostgresError(message, sqlstate))
    response = await database_error(request(), err)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert json.loads(bytes(response.body))["detail"] == "数据库暂时无法响应，请稍后重试"


async def test_another_database_error_is_a_500() -> None:
    err = DBAPIError("SELECT x", None, PostgresError('column "x" does not exist', "42703"))
    response = await database_error(request(), err)
    assert response.status_code == 500
