"""A readiness probe over plain HTTP on the loopback (the monitoring components' /-/ready and /metrics)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

PROBE_TIMEOUT = 2.0


def get(url: str, timeout: float = PROBE_TIMEOUT) -> tuple[int, str]:
    """(status, body) of a GET; (0, "") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (OSError, ValueError):
        return 0, ""


async def answers(url: str, marker: str = "") -> bool:
    """Whether the URL answers 200 (with `marker` in its body, when given)."""
    status, body = await asyncio.to_thread(get, url)
    return status == 200 and marker in body
