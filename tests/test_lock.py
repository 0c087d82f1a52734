"""The lock (requirements/, written by scripts/lock) pins every dependency pyproject.toml names,
each with its hashes, at a version pyproject.toml allows; the image's subset at the same versions.
docs/operations.md "Dependencies" says how it is made and used."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]


def pins(lock: str) -> dict[str, list[tuple[Version, int]]]:
    """Each locked name with its versions (several when markers fork it) and their hash counts."""
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    found: dict[str, list[tuple[Version, int]]] = {}
    for entry in re.split(r"\n(?=\S)", text.replace("\\\n", " ")):
        if entry.startswith("#") or not entry.strip():
            continue
        line = entry.split("\n")[0]  # the requirement with its hashes; "# via" lines follow
        requirement = Requirement(line.split(" --hash=")[0].strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        hashes = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", line))
        found.setdefault(canonicalize_name(requirement.name), []).append(
            (Version(specifier.version), hashes)
        )
    return found


def test_the_lock_pins_every_dependency_pyproject_names_at_an_allowed_version() -> None:
    locked = pins("all.txt")
    missing = [str(r) for r in RUNTIME + DEV if canonicalize_name(r.name) not in locked]
    assert not missing, f"not in requirements/all.txt (run scripts/lock): {missing}"
    for requirement in RUNTIME + DEV:
        for version, _ in locked[canonicalize_name(requirement.name)]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{requirement} is locked at {version}: run scripts/lock"
            )


def test_every_pin_carries_its_hashes() -> None:
    for lock in ("all.txt", "runtime.txt"):
        for name, versions in pins(lock).items():
            assert all(hashes >= 1 for _, hashes in versions), f"{lock}: {name} has no hash"


def test_the_image_lock_is_the_runtime_part_of_the_same_resolution() -> None:
    runtime, everything = pins("runtime.txt"), pins("all.txt")
    missing = [str(r) for r in RUNTIME if canonicalize_name(r.name) not in runtime]
    assert not missing, f"not in requirements/runtime.txt (run scripts/lock): {missing}"
    for dev_only in ("pytest", "mypy", "ruff", "uv"):
        assert dev_only not in runtime
    for name, versions in runtime.items():
        assert {v for v, _ in versions} <= {v for v, _ in everything[name]}, name


def test_installs_go_through_the_lock_with_hashes() -> None:
    install = (ROOT / "scripts" / "install").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/all.txt" in install
    assert "--no-deps -e ." in install
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/runtime.txt" in dockerfile
    assert "--no-deps ." in dockerfile
