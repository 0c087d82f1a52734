"""docker-compose.yml: valid Compose, Temporal's real server on PostgreSQL, QIS as separate
processes, no secret in the file. (No container engine runs here; tests/test_processes.py runs the
same QIS topology as plain processes.)"""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from workflows import search_attributes as sa

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]


def in_profile(profile: str) -> set[str]:
    return {name for name, s in SERVICES.items() if profile in s.get("profiles", [])}


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "deploy" / "compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.validate(COMPOSE, schema)


def test_the_cluster_runs_temporal_server_on_postgresql_not_auto_setup() -> None:
    assert in_profile("cluster") == {
        "postgresql", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui",
        "qis-migrate", "api", "worker", "sender",
    }  # fmt: skip
    images = {name: SERVICES[name].get("image", "") for name in in_profile("cluster")}
    assert images["temporal"].startswith("temporalio/server:")
    assert images["temporal-schema"].startswith("temporalio/admin-tools:")
    assert images["temporal-namespace"].startswith("temporalio/admin-tools:")
    assert images["temporal-ui"].startswith("temporalio/ui:")
    assert not any("auto-setup" in image for image in images.values())
    assert SERVICES["temporal"]["environment"]["DB"] == "postgres12"
    assert SERVICES["temporal"]["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )


def test_qis_runs_as_separate_processes_once_migrated_and_namespaced() -> None:
    commands = {n: SERVICES[n].get("command") for n in ("qis-migrate", "api", "worker", "sender")}
    assert commands == {
        "qis-migrate": ["qis", "migrate"],
        "api": ["qis", "api"],
        "worker": ["qis", "worker"],
        "sender": ["qis", "sender"],
    }
    assert SERVICES["api"]["deploy"]["replicas"] == 2
    assert SERVICES["worker"]["deploy"]["replicas"] == 2
    for name in ("api", "worker", "sender"):
        depends = SERVICES[name]["depends_on"]
        assert depends["qis-migrate"]["condition"] == "service_completed_successfully"
        assert depends["temporal-namespace"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    for name in ("postgresql", "temporal", "api"):
        assert "healthcheck" in SERVICES[name], name


def test_the_namespace_job_registers_every_search_attribute_the_workflow_sets() -> None:
    script = (ROOT / "deploy" / "temporal" / "namespace.sh").read_text(encoding="utf-8")
    registered = set(re.findall(r"(Qis[A-Za-z]+):(Keyword|Datetime|Text)", script))
    assert registered == {(key.name, sa.cli_kind(key)) for key in sa.ALL}


def test_no_secret_is_written_in_the_file_and_env_example_names_every_variable() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    declared = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    assert used <= declared, used - declared
    for line in example.splitlines():
        if "PASSWORD" in line:
            assert line.endswith("="), f"the example must leave passwords empty: {line}"
    # Every password comes from the environment, none is spelled out.
    values = re.findall(r"^\s+[A-Z_]*(?:PASSWORD|PWD)[A-Z_]*: *(\S+)", text, re.MULTILINE)
    values += re.findall(r"://\w+:([^@\s]+)@", text)
    assert len(values) >= 6
    for value in values:
        assert value.startswith("${"), value


def test_the_image_holds_every_package_of_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE))
    assert copied == packages
