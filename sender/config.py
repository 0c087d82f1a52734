"""What a sender needs to know, from the settings or given by a test."""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from infra.settings import Settings
from workflows import report_of


class SmtpUrlError(ValueError):
    """QIS_SMTP_URL is not a mail server address we understand (message in Chinese)."""


@dataclass(frozen=True)
class SmtpServer:
    """A mail server as QIS_SMTP_URL names it."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False

    def shown(self) -> str:
        """The server for a log line, without the password."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        tls = "?starttls=true" if self.starttls else ""
        return f"{scheme}://{user}{self.host}:{self.port}{tls}"


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://[user:password@]host[:port]`, `smtps://…` (implicit TLS), `?starttls=true`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(f"QIS_SMTP_URL 应以 smtp:// 或 smtps:// 开头，实际为“{parts.scheme}”")
    if not parts.hostname:
        raise SmtpUrlError("QIS_SMTP_URL 缺少主机名，例如 smtp://mail.example.cn:25")
    try:
        port = parts.port
    except ValueError as err:
        raise SmtpUrlError(f"QIS_SMTP_URL 的端口无效：{err}") from err
    implicit_tls = parts.scheme == "smtps"
    options = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    starttls = options.pop("starttls", "false")
    if starttls not in _TRUE | _FALSE:
        raise SmtpUrlError(f"QIS_SMTP_URL 的 starttls 应为 true 或 false，实际为“{starttls}”")
    if options:
        raise SmtpUrlError(
            f"QIS_SMTP_URL 含有不认识的参数：{'、'.join(options)}（只支持 starttls）"
        )
    if implicit_tls and starttls in _TRUE:
        raise SmtpUrlError("smtps:// 已是加密连接，不能再加 starttls=true")
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit_tls,
        starttls=starttls in _TRUE,
    )


@dataclass(frozen=True)
class SenderConfig:
    """A sender's configuration: where mail goes, links, and the retry policy."""

    public_url: str
    smtp: SmtpServer | None = None
    mail_from: str = "qis@localhost"
    max_attempts: int = 8
    retry_base: float = 30.0
    retry_max: float = 3600.0
    concurrency: int = 4
    timeout: float = 30.0
    # Rows whose contact was missing are looked at again this often (and on any contact change).
    recheck_interval: float = 30.0
    # A safety net under LISTEN/NOTIFY: idle senders look at the outbox this often.
    idle_poll: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "SenderConfig":
        """The configuration the environment gives (SmtpUrlError for a bad QIS_SMTP_URL)."""
        smtp_url = settings.qis_smtp_url.get_secret_value() if settings.qis_smtp_url else ""
        return cls(
            public_url=settings.public_url(),
            smtp=parse_smtp_url(smtp_url) if smtp_url.strip() else None,
            mail_from=settings.qis_mail_from,
            max_attempts=settings.qis_sender_max_attempts,
            retry_base=settings.qis_sender_retry_base,
            retry_max=settings.qis_sender_retry_max,
            concurrency=settings.qis_sender_concurrency,
            timeout=settings.qis_sender_timeout,
        )

    def project_link(self, project_id: str) -> str:
        """The console page a message is about: its project's, or for a district report's
        notice (its project id is the report's process id) the reports page of its period."""
        report = report_of(project_id)
        if report is not None:
            return f"{self.public_url}/console/reports?period={report[1]}"
        return f"{self.public_url}/console/projects/{project_id}"
