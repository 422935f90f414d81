"""Every dependency the project declares is explained in docs/dependencies.md (the brief: say why each was chosen)."""
from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return Requirement(requirement).name.lower()


def test_every_declared_dependency_is_explained():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    doc = (ROOT / "docs" / "dependencies.md").read_text(encoding="utf-8").lower()
    explained = set(re.findall(r"`([a-z0-9][a-z0-9_.-]*)`", doc))
    assert names and not names - explained, sorted(names - explained)


def test_system_packages_are_explained():
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    [packages] = re.findall(r'pkgs="([^"]+)"', script)
    doc = (ROOT / "docs" / "dependencies.md").read_text(encoding="utf-8")
    assert all(p in doc for p in packages.split()), packages
