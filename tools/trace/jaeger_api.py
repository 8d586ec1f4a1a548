"""Jaeger's query API: find a payment's traces by its id (span attribute fintech.payment_id, set where the
payment is initiated), read a trace's spans (/api/v3/traces/{id}, OTLP as JSON)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from services.runtime.config import Settings
from tools.trace.waterfall import Span

TIMEOUT = 5.0
PAYMENT_ATTRIBUTE = "fintech.payment_id"
# OTLP's span kinds as numbers (the JSON may carry either).
_KINDS = {0: "", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


class TraceNotFound(LookupError):
    pass


def query_url(settings: Settings, path: str, **params: str) -> str:
    base = f"http://{settings.jaeger.host}:{settings.jaeger.query_port}{path}"
    return f"{base}?{urllib.parse.urlencode(params)}" if params else base


def trace_url(settings: Settings, trace_id: str) -> str:
    return query_url(settings, f"/api/v3/traces/{trace_id}")


def _get(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise TraceNotFound(url) from error
        raise


def payment_trace_ids(settings: Settings, payment_id: str, lookback: str = "24h") -> list[str]:
    """Ids of the traces whose payments span names the payment (its initiation; a retry with the same key
    too), oldest first. Jaeger's v3 search takes no attributes: this asks the v1 search, which does."""
    url = query_url(
        settings,
        "/api/traces",
        service="payments",
        tags=json.dumps({PAYMENT_ATTRIBUTE: payment_id}),
        lookback=lookback,
        limit="20",
    )
    try:
        found = _get(url).get("data") or []
    except TraceNotFound:
        return []
    starts = {
        trace["traceID"]: min((span.get("startTime", 0) for span in trace.get("spans", [])), default=0)
        for trace in found
    }
    return sorted(starts, key=lambda trace_id: (starts[trace_id], trace_id))


def trace_spans(settings: Settings, trace_id: str) -> list[Span]:
    """Every span of the trace, from the v3 API (OTLP resource spans as JSON)."""
    return spans_of(_get(trace_url(settings, trace_id)))


def spans_of(document: dict[str, Any]) -> list[Span]:
    """Spans of a v3 answer ({"result": {"resourceSpans": [...]}}), each with its resource's service name."""
    spans = []
    for resource_spans in document.get("result", {}).get("resourceSpans", []):
        service = _attribute(resource_spans.get("resource", {}).get("attributes", []), "service.name") or "?"
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                spans.append(
                    Span(
                        span_id=_hex_id(span.get("spanId", "")),
                        parent_id=_hex_id(span.get("parentSpanId", "")),
                        service=service,
                        name=span.get("name", ""),
                        start_ns=int(span.get("startTimeUnixNano", 0)),
                        end_ns=int(span.get("endTimeUnixNano", 0)),
                        kind=_kind(span.get("kind", 0)),
                    )
                )
    return spans


def _attribute(attributes: list[dict[str, Any]], key: str) -> str | None:
    for attribute in attributes:
        if attribute.get("key") == key:
            value = attribute.get("value", {})
            return str(next(iter(value.values()), "")) if value else ""
    return None


def _hex_id(value: str) -> str:
    """Ids as lower-case hex (Jaeger writes hex; plain protobuf JSON would write base64)."""
    if not value:
        return ""
    if len(value) in (16, 32) and all(c in "0123456789abcdefABCDEF" for c in value):
        return value.lower()
    return base64.b64decode(value).hex()


def _kind(value: int | str) -> str:
    if isinstance(value, int):
        return _KINDS.get(value, "")
    return value.removeprefix("SPAN_KIND_").lower().replace("unspecified", "")
