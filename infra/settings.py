"""One settings class for the API, the worker and the command line (docs/api-guide.md "Running it")."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.policy import Policy, PolicyError, parse_policy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    qis_data_dir: Path = Field(default=Path("./var"))
    qis_api_port: int = 8000
    qis_api_host: str = "127.0.0.1"
    qis_temporal_port: int = 7233
    qis_temporal_ui_port: int = 8233
    # Where `qis worker` serves its Prometheus metrics; empty turns them off (docs/operations.md).
    qis_worker_metrics_address: str = "127.0.0.1:9464"
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    database_url: str | None = None
    qis_log_format: Literal["json", "text"] = "json"
    qis_policy_file: Path | None = None
    # Delivery of the notification outbox (sender/); docs/api-guide.md names the first three.
    qis_public_url: str | None = None
    qis_smtp_url: SecretStr | None = None
    qis_mail_from: str = "qis@localhost"
    qis_sender_max_attempts: int = Field(default=8, ge=1)
    qis_sender_retry_base: float = Field(default=30.0, gt=0)  # seconds before the 2nd attempt
    qis_sender_retry_max: float = Field(default=3600.0, gt=0)  # longest wait between attempts
    qis_sender_concurrency: int = Field(default=4, ge=1, le=64)
    qis_sender_timeout: float = Field(default=30.0, gt=0)  # per SMTP conversation or HTTP call
    # A console session ends after this many minutes without a request (docs/console.md).
    qis_console_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)

    def policy(self) -> Policy:
        """The policy new processes start with: the file's, or the regulation's."""
        if self.qis_policy_file is None:
            return Policy()
        try:
            text = self.qis_policy_file.read_text(encoding="utf-8")
        except OSError as err:
            raise PolicyError(f"无法读取策略文件 {self.qis_policy_file}：{err}") from err
        return parse_policy(text, source=f"策略文件 {self.qis_policy_file}")

    def public_url(self) -> str:
        """Where people reach the console, for links in notifications (no trailing slash)."""
        url = self.qis_public_url or f"http://127.0.0.1:{self.qis_api_port}"
        return url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
