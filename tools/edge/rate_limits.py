"""The edge's per-client rate limit, from mesh.toml [edge]: the one source of both limits Envoy applies.

Envoy's local limit (a token bucket per client in each Envoy process) and the global one (envoyproxy/ratelimit
counting per client in Redis, shared by every replica) allow the same rate_limit_requests per
rate_limit_window_seconds. The service counts in fixed windows of one unit (second, minute, hour, day), so the
window must be one of those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.runtime.config import Settings

# The descriptor key Envoy sends with the client's `sub` (tools/edge/config.py fills it from x-jwt-sub).
CLIENT_KEY = "client"
# ratelimit's units by their length in seconds.
UNITS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def window_unit(settings: Settings) -> str:
    """The ratelimit unit of [edge] rate_limit_window_seconds; any other window is a configuration error."""
    window = settings.edge.rate_limit_window_seconds
    if window not in UNITS:
        allowed = ", ".join(f"{seconds} ({unit})" for seconds, unit in UNITS.items())
        raise ValueError(
            f"[edge] rate_limit_window_seconds = {window}: the global rate limit counts per second, minute, "
            f"hour or day; use one of {allowed}"
        )
    return UNITS[window]


def service_config(settings: Settings) -> dict[str, Any]:
    """The ratelimit service's limits: one counter per distinct client (a key without a value matches each)."""
    return {
        "domain": settings.ratelimit.domain,
        "descriptors": [
            {
                "key": CLIENT_KEY,
                "rate_limit": {"unit": window_unit(settings), "requests_per_unit": settings.edge.rate_limit_requests},
            }
        ],
    }


def write_service_config(path: Path, settings: Settings) -> bool:
    """Write the limits where the service reads them; True when the content changed.

    Written under a dot name then renamed: the service watches the directory and ignores dot files, so
    it never loads a half-written file.
    """
    text = "# Written by tools/edge/rate_limits.py from mesh.toml [edge]; edits are overwritten.\n" + yaml.safe_dump(
        service_config(settings), sort_keys=False
    )
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True
