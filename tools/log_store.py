"""The local log store (VictoriaLogs) from Python and the terminal: LogsQL over its HTTP API.

`python -m tools.log_store <request id>` prints every line of one request, at every hop, in time order:
the edge's access line (program envoy) and each service's lines (rpc, and what the handlers logged).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from typing import Any

from services.runtime.config import Settings, get_settings

TIMEOUT = 10.0


def query(settings: Settings, logsql: str, *, limit: int = 1000) -> list[dict[str, Any]]:
    """The entries `logsql` selects (/select/logsql/query answers one JSON object per line)."""
    body = urllib.parse.urlencode({"query": logsql, "limit": str(limit)}).encode()
    url = f"{settings.victorialogs.url}/select/logsql/query"
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=TIMEOUT) as reply:
        return [json.loads(line) for line in reply.read().splitlines() if line.strip()]


def quoted(value: str) -> str:
    """A LogsQL phrase: the value as one exact token sequence, whatever characters it holds."""
    return json.dumps(value)


def request_lines(settings: Settings, request_id: str) -> list[dict[str, Any]]:
    """Every line that carries the request id, oldest first."""
    return query(settings, f"request_id:={quoted(request_id)} | sort by (_time)")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m tools.log_store <request id>\n")
        return 2
    lines = request_lines(get_settings(), argv[0])
    for line in lines:
        detail = " ".join(
            f"{key}={line[key]}" for key in ("method", "path", "code", "status", "ms", "duration_ms") if key in line
        )
        sys.stdout.write(f"{line['_time']}  {line.get('program', '?'):<10} {line['_msg']}  {detail}\n")
    return 0 if lines else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
