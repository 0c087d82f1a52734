"""What ends a console request with another page than the one asked for."""

from api.errors import ServiceError
from api.handlers import STATUS


class SignInRequired(Exception):
    """No live session: the person is sent to the sign-in page, and back to `next_path` after."""

    def __init__(self, next_path: str, message: str = "") -> None:
        super().__init__(message or "请先登录")
        self.next_path = next_path
        self.message = message


class PageError(Exception):
    """A request the console refuses with an error page: its status and Chinese message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @classmethod
    def of(cls, err: ServiceError) -> "PageError":
        """The page for a service's refusal: the same status and message as the API's."""
        return cls(status_of(err), err.message)


def status_of(err: ServiceError) -> int:
    """The HTTP status the API answers a service error with (api.handlers.STATUS)."""
    for kind in type(err).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "无权访问",
    404: "未找到",
    409: "当前不能办理",
    422: "填写有误",
    503: "服务暂时不可用",
}
