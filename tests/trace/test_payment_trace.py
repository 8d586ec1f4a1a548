"""One payment made through the edge is one trace in Jaeger, from Envoy to the consumers of its events."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING

import pytest

from services.runtime.config import Settings
from tests.edge.rest import request
from tools.bench.load import edge_tokens
from tools.bench.mesh import Crowd
from tools.trace.jaeger_api import payment_trace_ids, trace_spans
from tools.trace.waterfall import Span, render

if TYPE_CHECKING:
    from tools.mesh import Mesh

# Envoy starts the trace; payments calls risk (and customer, unless it verified the customer in the last 30 s), risk
# calls ml, ml Triton; customer and features consume the payment's events (risk reads online features from Redis).
EXPECTED_SERVICES = {"envoy", "payments", "customer", "risk", "ml", "triton", "features"}
WAIT = 45.0  # spans leave each process every 2 s; consumers apply the events after the relay publishes them


def _pay_through_the_edge(settings: Settings) -> str:
    template = Crowd(settings, 1).take(1)[0]
    (token,) = edge_tokens(settings, 1)
    body = template | {"idempotency_key": f"trace-{uuid.uuid4()}"}
    reply = request(
        f"http://127.0.0.1:{settings.envoy.rest_port}/v1/payments",
        "POST",
        token=token,
        body=json.dumps(body).encode(),
    )
    assert reply.status == 200, reply.body
    return str(reply.json()["payment"]["payment_id"])


def _whole_trace(settings: Settings, payment_id: str) -> tuple[list[str], list[Span]]:
    """The payment's traces and the first one's spans, once Envoy's span, every expected service and a consumer
    are in it (or the wait is over)."""
    deadline = time.monotonic() + WAIT
    while True:
        trace_ids = payment_trace_ids(settings, payment_id, lookback="1h")
        spans = trace_spans(settings, trace_ids[0]) if trace_ids else []
        # Envoy sends its request's span when the request has ended, in batches (every 5 s): wait for it too.
        edge = any(s.service == "envoy" and s.kind == "server" for s in spans)
        complete = edge and {s.service for s in spans} >= EXPECTED_SERVICES and any(s.kind == "consumer" for s in spans)
        if complete or time.monotonic() > deadline:
            return trace_ids, spans
        time.sleep(1.0)


@pytest.mark.mesh()
def test_a_payment_through_the_edge_is_one_trace_from_envoy_to_its_event_consumers(settings: Settings, mesh: Mesh):
    mesh.up("jaeger")  # a collector: `mesh()` leaves it out (the test passed only after another test had started it)
    payment_id = _pay_through_the_edge(settings)
    trace_ids, spans = _whole_trace(settings, payment_id)

    assert len(trace_ids) == 1, trace_ids
    picture = render(spans)
    assert {span.service for span in spans} >= EXPECTED_SERVICES, picture
    by_id = {span.span_id: span for span in spans}
    roots = [span for span in spans if span.parent_id not in by_id]
    # One root, Envoy's: every service's span descends from the edge's (none started a trace of its own).
    assert [(root.service, root.kind) for root in roots] == [("envoy", "server")], picture
    initiation = next(s for s in spans if s.service == "payments" and s.name.endswith("/InitiatePayment"))
    assert by_id[initiation.parent_id].service == "envoy", picture
    # The Kafka hop: a consumer's span is the child of the relay's publish span, in the same trace.
    consumers = [s for s in spans if s.kind == "consumer"]
    assert consumers, picture
    assert all(by_id[s.parent_id].kind == "producer" for s in consumers), picture
    assert {s.service for s in consumers} & {"features", "customer", "risk"}, picture
