"""The SLO panel: per public RPC, availability (1 h), p95 latency and server-error ratio (5 min) from Prometheus's
HTTP API (the recording rules of tools/observability/rules.py), and the newest slow request's trace from Jaeger,
with links to the trace and to its log lines in VictoriaLogs.

Read every `[console] slo_interval_seconds` by one task, whatever the number of viewers, and pushed to them.
Prometheus or Jaeger away: the panel says so (`error`) and keeps its last rows; the rest of the console goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.parse
from typing import Any

import aiohttp
import structlog

from services.console.app.feed import Feed
from services.runtime.config import Settings

log = structlog.get_logger("console.slo")

LABELS = ("job", "grpc_service", "grpc_method")
_BY = ", ".join(LABELS)


def _or_none_failed(ratio: str, window: str) -> str:
    """The recorded error ratio, or 0 for an RPC that was called and never failed: the rule's numerator has no series
    then, so the ratio has none either, and "no errors" would read as "no data"."""
    called = f'sum by ({_BY}) (rate(grpc_server_handled_total{{namespace="fintech"}}[{window}]))'
    return f"({ratio} or on ({_BY}) (0 * {called}))"


# The recording rules (tools/observability/rules.py; tests/console checks the names exist there).
AVAILABILITY = "1 - " + _or_none_failed("fintech:grpc_server_error_ratio:rate1h", "1h")
ERROR_RATIO = _or_none_failed("fintech:grpc_server_error_ratio:rate5m", "5m")
P95 = "fintech:grpc_server_handling_seconds:p95_rate5m"
TIMEOUT = aiohttp.ClientTimeout(total=5)
SLOW_LOOKBACK = "15m"


class SloReader:
    def __init__(self, feed: Feed, settings: Settings) -> None:
        self.feed = feed
        self.settings = settings
        self.prometheus = f"http://{settings.prometheus.host}:{settings.prometheus.port}"
        self.jaeger = f"http://{settings.jaeger.host}:{settings.jaeger.query_port}"
        self.logs = settings.victorialogs.url
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        self._task = asyncio.create_task(self._run(self._session), name="console-slo")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()

    async def _run(self, session: aiohttp.ClientSession) -> None:
        while True:
            self.feed.set_slo(await self.read(session))
            await asyncio.sleep(self.settings.console.slo_interval_seconds)

    async def read(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """The panel's rows, or the last rows with an error when Prometheus does not answer."""
        try:
            availability, errors, p95 = await asyncio.gather(
                *(self._query(session, q) for q in (AVAILABILITY, ERROR_RATIO, P95))
            )
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("slo.prometheus_failed", error=type(error).__name__)
            return {**self.feed.slo, "error": f"Prometheus did not answer ({type(error).__name__})"}
        rows: dict[tuple[str, ...], dict[str, Any]] = {}
        for name, series in (("availability", availability), ("error_ratio", errors), ("p95_seconds", p95)):
            for labels, value in series.items():
                row = rows.setdefault(labels, dict(zip(LABELS, labels, strict=True)))
                row[name] = value
        slow = await self._slow_traces(session, sorted({row["job"] for row in rows.values()}))
        for row in rows.values():
            trace = slow.get((row["job"], f"/{row['grpc_service']}/{row['grpc_method']}"))
            if trace is not None:
                row["slow_trace"] = trace
        return {
            "rpcs": sorted(rows.values(), key=lambda r: (r["job"], r["grpc_service"], r["grpc_method"])),
            "objectives": {
                "availability": 0.999,
                "p95_seconds": self.settings.console.slow_request_ms / 1000,
                "error_ratio": 0.01,
            },  # fmt: skip
            "time": time.time(),
            "error": None,
        }

    async def _query(self, session: aiohttp.ClientSession, query: str) -> dict[tuple[str, ...], float | None]:
        async with session.get(f"{self.prometheus}/api/v1/query", params={"query": query}) as response:
            body = await response.json()
        if body.get("status") != "success":
            raise ValueError(body.get("error", "query failed"))
        series = {}
        for item in body["data"]["result"]:
            metric = item["metric"]
            if not str(metric.get("grpc_service", "")).startswith("fintech."):  # public RPCs, not health
                continue
            value = float(item["value"][1])
            series[tuple(str(metric.get(label, "")) for label in LABELS)] = value if value == value else None  # NaN
        return series

    async def _slow_traces(self, session: aiohttp.ClientSession, services: list[str]) -> dict[tuple[str, str], Any]:
        """(service, RPC path) -> the newest trace in which that RPC took longer than the objective."""
        found: dict[tuple[str, str], Any] = {}
        threshold_us = self.settings.console.slow_request_ms * 1000
        for service in services:
            params = {"service": service, "minDuration": f"{self.settings.console.slow_request_ms}ms",
                      "lookback": SLOW_LOOKBACK, "limit": "20"}  # fmt: skip
            try:
                async with session.get(f"{self.jaeger}/api/traces", params=params) as response:
                    traces = (await response.json()).get("data") or [] if response.status == 200 else []
            except (aiohttp.ClientError, TimeoutError, ValueError):
                continue  # no Jaeger (collectors off): rows without a trace link
            for trace in traces:
                for span in trace.get("spans", []):
                    name, duration = span.get("operationName", ""), int(span.get("duration", 0))
                    key = (service, name)
                    if duration < threshold_us or not name.startswith("/fintech."):
                        continue
                    if key not in found or span.get("startTime", 0) > found[key]["start_us"]:
                        found[key] = self._links(trace["traceID"], duration, span.get("startTime", 0))
        return found

    def _links(self, trace_id: str, duration_us: int, start_us: int) -> dict[str, Any]:
        logs_query = urllib.parse.urlencode({"query": f"trace_id:={trace_id}", "g0.range_input": "1d", "view": "table"})
        return {
            "trace_id": trace_id,
            "duration_ms": round(duration_us / 1000, 1),
            "start_us": start_us,
            "trace_url": f"{self.jaeger}/api/v3/traces/{trace_id}",
            "logs_url": f"{self.logs}/select/vmui/#/?{logs_query}",
        }
