"""The overlays rendered once per session with the pinned kustomize (`make setup` installs it)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.runtime.config import ROOT

KUSTOMIZE = ROOT / ".tools" / "bin" / "kustomize"
OVERLAYS = ("dev", "prod")


def render(directory: Path) -> list[dict[str, Any]]:
    assert KUSTOMIZE.exists(), "kustomize is missing: run `make setup`"
    result = subprocess.run([str(KUSTOMIZE), "build", str(directory)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """overlay -> its resources."""
    return {overlay: render(ROOT / "k8s" / "overlays" / overlay) for overlay in OVERLAYS}
