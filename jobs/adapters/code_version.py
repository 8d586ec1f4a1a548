"""The code version a run records: [jobs] code_version when set (an image's build), else the clone's commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from services.runtime.config import Settings

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "unknown"


def code_version(settings: Settings) -> str:
    if settings.jobs.code_version:
        return settings.jobs.code_version
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    # Uncommitted changes: the commit alone would not say what ran.
    return f"{commit}-dirty" if dirty else commit
