"""The operations console's settings ([console] in mesh.toml, FINTECH_CONSOLE__<KEY> overrides).

Here rather than in services/console because the edge's configuration (tools/edge) and the mesh launcher (tools/mesh)
route to and start the console, and tools import only the runtime.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConsoleSettings(BaseModel):
    """The console serves its pages on `http_port` (TLS with client certificates in local mode: the edge alone
    reaches it) under `path`; the edge routes `path` to it."""

    host: str = "127.0.0.1"
    http_port: int = 18087
    # Where the edge serves it: http://<mesh host>:<envoy rest_port><path>/.
    path: str = "/console"
    # The OAuth2 client the console signs staff in as (authorization code with PKCE at the dev issuer).
    client_id: str = "fintech-console"
    # Windows older than this are dropped from the view (the compacted topics keep them; the page shows the recent).
    history_minutes: int = Field(default=60, gt=0)
    # How often the SLO panel is read from Prometheus (and slow traces from Jaeger).
    slo_interval_seconds: float = Field(default=10.0, gt=0)
    # A request slower than this is "slow": the SLO panel links the newest such trace (the p95 objective).
    slow_request_ms: int = Field(default=250, gt=0)
