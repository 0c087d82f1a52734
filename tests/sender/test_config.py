"""QIS_SMTP_URL as docs/api-guide.md spells it, and the settings a sender starts from."""

import pytest

from infra.settings import Settings
from sender.config import SenderConfig, SmtpServer, SmtpUrlError, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.cn", SmtpServer("mail.example.cn", 25)),
        ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525)),
        ("smtps://mail.example.cn", SmtpServer("mail.example.cn", 465, implicit_tls=True)),
        (
            "smtp://qis%40example.cn:p%40ss@mail.example.cn:587?starttls=true",
            SmtpServer("mail.example.cn", 587, "qis@example.cn", "p@ss", starttls=True),
        ),
    ],
)
def test_smtp_urls(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server
    assert "p@ss" not in parse_smtp_url(url).shown()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://mail.example.cn", "smtp://"),
        ("smtp://", "主机名"),
        ("smtp://mail.example.cn:99999", "端口"),
        ("smtp://mail.example.cn?starttls=maybe", "starttls"),
        ("smtp://mail.example.cn?tls=1", "不认识的参数"),
        ("smtps://mail.example.cn?starttls=true", "smtps://"),
    ],
)
def test_bad_smtp_urls_are_refused_in_chinese(url: str, words: str) -> None:
    with pytest.raises(SmtpUrlError, match=words):
        parse_smtp_url(url)


def test_defaults_follow_the_api_port() -> None:
    config = SenderConfig.from_settings(Settings(qis_api_port=8123))
    assert config.smtp is None
    assert config.mail_from == "qis@localhost"
    assert config.project_link("p-1") == "http://127.0.0.1:8123/console/projects/p-1"
    assert config.max_attempts == 8
    public = SenderConfig.from_settings(
        Settings(qis_public_url="https://qis.example.cn/", qis_smtp_url="smtp://m.example.cn")
    )
    assert public.project_link("p-1") == "https://qis.example.cn/console/projects/p-1"
    # A district report's notice links to the reports page of its period, not to a project.
    report = public.project_link("district-report-310115-2026")
    assert report == "https://qis.example.cn/console/reports?period=2026"
    assert public.smtp == SmtpServer("m.example.cn", 25)
