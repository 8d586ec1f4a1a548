"""The previous release: which commit it is, its code unpacked, and the schema each service's code maps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.runtime.config import ROOT
from tools.migrations.describe import Schema

DESCRIBE = Path(__file__).with_name("describe.py")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def previous_release() -> str:
    """FINTECH_MIGRATIONS_BASE if set; else the newest release tag (v*) behind HEAD; else HEAD's parent (on main,
    the commit deployed before this one)."""
    if base := os.environ.get("FINTECH_MIGRATIONS_BASE"):
        return _git("rev-parse", "--verify", f"{base}^{{commit}}")
    try:
        return _git("describe", "--tags", "--match", "v*", "--abbrev=0", "HEAD")
    except subprocess.CalledProcessError:
        return _git("rev-parse", "--verify", "HEAD~1")


@contextmanager
def unpacked(ref: str) -> Iterator[Path]:
    """The release's tracked files in a temporary directory (git archive: no worktree left behind)."""
    with tempfile.TemporaryDirectory(prefix="fintech-release-") as directory:
        archive = Path(directory) / "release.tar"
        _git("archive", "--output", str(archive), ref)
        tree = Path(directory) / "tree"
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
        yield tree


def services_with_migrations(tree: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in tree.glob("services/*/migrations/env.py"))


def mapped_schema(tree: Path, service: str) -> Schema:
    """What the release's code of `service` maps, read by importing that code in a process of its own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "gen" / "python")])}
    run = subprocess.run(
        [sys.executable, str(DESCRIBE), str(tree / "services" / service / "migrations" / "env.py")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise RuntimeError(f"reading {service}'s models of the previous release failed:\n{run.stderr}")
    schema: Schema = json.loads(run.stdout)
    return schema
