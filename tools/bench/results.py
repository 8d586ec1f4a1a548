"""Where every benchmark leaves its numbers: <state_dir>/bench/<name>.json (and .md when it has a table),
with the machine described, so a README number can be traced to the run that gave it."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from services.runtime.config import get_settings


def write(name: str, what: str, runs: int, results: Any, markdown: str | None = None) -> Path:
    out = get_settings().state_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "what": what,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "runs": runs,
        "results": results,
    }
    (out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    if markdown is not None:
        (out / f"{name}.md").write_text(markdown + "\n")
    return out / f"{name}.json"
