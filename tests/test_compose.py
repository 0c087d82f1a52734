"""docker-compose.yml is valid Compose (checked against the specification's JSON schema)."""

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "deploy" / "compose-spec.json").read_text(encoding="utf-8"))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    jsonschema.validate(compose, schema)
    assert set(compose["services"]) == {"postgres", "temporal", "qis"}
    qis = compose["services"]["qis"]["environment"]
    assert qis["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert qis["TEMPORAL_ADDRESS"] == "temporal:7233"
