"""Rewrite a flagd flag file as an operator (or a ConfigMap update) would: whole, at once."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from services.runtime.config import ROOT

REPO_FLAGS = ROOT / "flags" / "flags.flagd.json"


def write(path: Path, document: dict[str, Any] | str) -> None:
    """Replace the file at once: never half a file."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    text = document if isinstance(document, str) else json.dumps(document)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    if path.stat().st_mtime_ns <= before:  # the file clock is coarse (ms), and flagd looks for a newer mtime
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def repo_flags() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REPO_FLAGS.read_text())
    return document


def challenger_share(percent: int) -> dict[str, Any]:
    """The repository's flags with the challenger fraud model scoring `percent` % of payments."""
    document = repo_flags()
    rule = document["flags"]["fraud-challenger-share"]["targeting"]["fractional"]
    rule[1][1], rule[2][1] = 100 - percent, percent
    return document


def with_default(flag: str, variant: str) -> dict[str, Any]:
    """The repository's flags with `flag` serving `variant` to everyone."""
    document = repo_flags()
    document["flags"][flag]["defaultVariant"] = variant
    document["flags"][flag].pop("targeting", None)
    return document


def wearable_share(percent: int) -> dict[str, Any]:
    """The repository's flags with the wearable channel open to `percent` % of retail customers."""
    document = repo_flags()
    rule = document["flags"]["wearable-channel-rollout"]["targeting"]["if"][2]["fractional"]
    rule[1][1], rule[2][1] = percent, 100 - percent
    return document


def mesh_flag_file(path: Path) -> Path:
    """The flag file the test mesh reads (`settings.flags.path`), never the repository's own: a test rewrites it."""
    path = path if path.is_absolute() else ROOT / path
    if path.resolve() == REPO_FLAGS.resolve():
        pytest.skip("this mesh reads the repository's flag file (a state dir given from outside): not rewriting it")
    return path
