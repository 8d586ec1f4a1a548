"""Logs, metrics and traces, set up the same way for every service.

- Logs: one JSON object per line (structlog) with service, request id and trace/span ids.
  Only identifiers, codes and timings are logged: never request or response bodies, so no
  personal data reaches the logs.
- Metrics: Prometheus, per RPC: handled count by status code and a latency histogram, served
  on the service's metrics port.
- Traces: OpenTelemetry; the gRPC instrumentation carries W3C trace context across calls and
  the Kafka helpers carry it through event headers.
"""

from __future__ import annotations

import logging
import sys

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import Counter, Histogram, start_http_server

RPC_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
RPC_LATENCY = Histogram(
    "grpc_server_handling_seconds",
    "Time to handle an RPC on the server.",
    ["grpc_service", "grpc_method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def _add_trace_ids(_, __, event: dict) -> dict:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event["trace_id"] = format(span.trace_id, "032x")
        event["span_id"] = format(span.span_id, "016x")
    return event


def configure_logging(service: str, level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through the standard library; keep their warnings, as plain lines on stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)


def configure_tracing(service: str) -> TracerProvider:
    """A tracer provider named after the service. Exporters come from the deployment, not the code."""
    resource = Resource.create({"service.name": service, "service.namespace": "fintech"})
    provider = TracerProvider(resource=resource)
    trace.set_tracer_provider(provider)
    return provider


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    start_http_server(port, addr=host)


def split_method(full_method: str) -> tuple[str, str]:
    """`/fintech.payments.v1.PaymentInitiationService/InitiatePayment` -> (service, method)."""
    _, service, method = full_method.split("/", 2)
    return service, method
