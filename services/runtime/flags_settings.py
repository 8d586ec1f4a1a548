"""The flags section of mesh.toml: where a service's feature flags come from (services/runtime/flags.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class FlagSettings(BaseModel):
    # file: flagd's JSON flag file, watched and evaluated in process (local mesh, tests). in-process: the flags
    # streamed from the flagd sidecar the OpenFeature Operator injects in a cluster (its sync port), evaluated in
    # process too. Not flagd's rpc mode: its evaluations are blocking gRPC calls, which would stall the event loop.
    provider: Literal["file", "in-process"] = "file"
    # The flag file (relative paths from the repository root); the tests' mesh points it at a copy it rewrites.
    path: Path = Path("flags/flags.flagd.json")
    host: str = "localhost"
    port: int = Field(default=8015, gt=0)  # flagd's sync port
    # File mode: how often the file's modification time is checked (a change serves within about this long).
    poll_interval_seconds: float = Field(default=0.25, gt=0)
    # How long a starting service waits for its flags before it serves with the safe defaults.
    startup_wait_seconds: float = Field(default=2.0, ge=0)
