"""Log lines: JSON with the workflow and project where Temporal knows them, secrets masked."""

import dataclasses
import io
import json
import logging
import subprocess
import sysconfig
from pathlib import Path

from temporalio import activity
from temporalio.testing import ActivityEnvironment

from qis.logs import JsonLines, mask

QIS = Path(sysconfig.get_path("scripts")) / "qis"


def test_tokens_webhook_secrets_and_url_passwords_are_masked() -> None:
    line = mask(
        "Authorization: Bearer qis_Ab3-xY.z9 secret whsec_QUJDREVGR0g= "
        "smtp://qis%40example.cn:s3cr%21t@mail.example.cn:587 "
        "postgresql+asyncpg://qis:pw@db/qis"
    )
    assert line == (
        "Authorization: Bearer *** secret whsec_*** smtp://qis%40example.cn:***@mail.example.cn:587 "
        "postgresql+asyncpg://qis:***@db/qis"
    )


async def test_an_activity_log_line_names_its_workflow_and_project() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("temporalio.activity")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)

    @activity.defn
    async def step() -> None:
        activity.logger.info("写入第 %d 步，凭证 Bearer qis_secret", 3)

    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, workflow_id="project-ab12cd34ef56")
    try:
        await environment.run(step)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["project_id"] == "ab12cd34ef56"
    assert line["workflow_id"] == "project-ab12cd34ef56"
    assert line["level"] == "INFO"
    assert line["message"].startswith("写入第 3 步，凭证 Bearer ***")
    assert "qis_secret" not in stream.getvalue()


def test_commands_log_json_lines_by_default() -> None:
    result = subprocess.run(
        [str(QIS), "worker"],
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert lines[-1]["level"] == "ERROR"
    assert "TEMPORAL_ADDRESS" in lines[-1]["message"]
