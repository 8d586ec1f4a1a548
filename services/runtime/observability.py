"""Logs, metrics and traces, set up the same way for every service.

- Logs: one JSON object per line (structlog) with service, request id and trace/span ids.
  Only identifiers, codes and timings are logged: never request or response bodies, so no
  personal data reaches the logs. Exceptions too are logged without their messages (`safe_error`,
  `safe_stack`): a message can quote data (a database error its statement's bound values and the
  row a constraint refused, a handler's error the value it choked on), so a log line or a dead-letter
  header gets the error's class, what kind of failure it was and where it was raised, never its text.
- Metrics: Prometheus, per RPC: handled count by status code and a latency histogram, served
  on the service's metrics port.
- Traces: OpenTelemetry; the gRPC instrumentation carries W3C trace context across calls and
  the Kafka helpers carry it through event headers.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TextIO, cast

import structlog
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from prometheus_client import Counter, Histogram, start_http_server
from structlog.typing import EventDict, WrappedLogger

from services.runtime.config import Settings, get_settings

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


_ROOT = str(Path(__file__).resolve().parents[2]) + "/"
# Errors whose message is about the infrastructure (a host, a port, a timeout, a broker), never data.
_MESSAGE_SAFE = ("aiokafka.errors.", "kafka.errors.")
_MAX_FRAMES = 12


def _class_name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _details(error: BaseException) -> str:
    """What kind of failure, from attributes that never hold data: a database error's SQLSTATE and the
    constraint, table and column it names (not its message or DETAIL, which quote the row), an OS
    error's errno, a gRPC error's status code; the message only of infrastructure errors (Kafka's)."""
    original = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    source = getattr(original, "__cause__", None) or original or error  # the asyncpg adapter wraps asyncpg's
    parts = []
    if original is not None:
        parts.append(_class_name(source))
    for attribute in ("sqlstate", "constraint_name", "table_name", "column_name"):
        value = getattr(source, attribute, None)
        if isinstance(value, str) and value:
            parts.append(f"{attribute}={value}")
    if isinstance(error, OSError) and error.errno is not None:
        parts.append(f"errno={error.errno}")
    code = getattr(error, "code", None)
    if callable(code) and type(error).__module__.startswith("grpc"):
        with contextlib.suppress(Exception):  # not an RpcError after all
            parts.append(f"code={code().name}")
    infrastructure = isinstance(error, TimeoutError | ConnectionError)
    infrastructure = infrastructure or type(error).__module__.startswith(_MESSAGE_SAFE)
    if infrastructure and str(error):
        parts.append(str(error)[:300])
    return ", ".join(parts)


def _where(error: BaseException) -> str:
    """The innermost frame of the project's own code the error went through (else the innermost frame):
    path relative to the repository, line, function."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    ours = [f for f in frames if f.filename.startswith(_ROOT) and "site-packages" not in f.filename]
    if not frames:
        return ""
    frame = (ours or frames)[-1]
    return f" at {frame.filename.removeprefix(_ROOT)}:{frame.lineno} in {frame.name}"


def safe_error(error: BaseException) -> str:
    """An exception rendered for logs and headers without its message, which may hold personal data:
    `IntegrityError(asyncpg.exceptions.UniqueViolationError, sqlstate=23505, constraint_name=uq_x) at
    services/x.py:12 in f`. Use it wherever an error is logged or sent on (`repr(error)` and `str(error)`
    are not safe: a SQLAlchemy error's text holds its statement's parameters, a DETAIL the refused row)."""
    details = _details(error)
    return f"{_class_name(error)}({details}){_where(error)}" if details else f"{_class_name(error)}{_where(error)}"


def safe_stack(error: BaseException) -> list[str]:
    """The traceback of the error and of those it was raised from (`__cause__`, `__context__`), as
    `safe_error` of each and its frames (file:line in function), innermost last, without any message."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 5:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    lines: list[str] = []
    for link in reversed(chain):  # the first error first, as Python prints them
        frames = traceback.extract_tb(link.__traceback__) if link.__traceback__ else []
        lines.extend(f"{f.filename.removeprefix(_ROOT)}:{f.lineno} in {f.name}" for f in frames[-_MAX_FRAMES:])
        lines.append(safe_error(link))
    return lines


def _safe_exc_info(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """`log.exception(...)` and `exc_info=...`: the error and its stack without messages (see safe_error)."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        error = exc_info
    elif isinstance(exc_info, tuple) and len(exc_info) == 3:
        error = exc_info[1]
    else:
        error = None
    if error is not None:
        event.setdefault("error", safe_error(error))
        event["frames"] = safe_stack(error)  # not "stack": structlog renders that key as text
    return event


class SafeFormatter(logging.Formatter):
    """The standard library's log lines (libraries' warnings, asyncio's unretrieved task errors) with
    exceptions rendered as `safe_stack` does: no exception message reaches stderr either."""

    def formatException(  # noqa: N802 (logging's name)
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        return "\n".join(safe_stack(ei[1])) if ei and ei[1] is not None else ""


def _add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event["trace_id"] = format(span.trace_id, "032x")
        event["span_id"] = format(span.span_id, "016x")
    return event


def current_request_id() -> str:
    """The request id this work is for: the inbound call's, or the consumed event's (its correlation id)."""
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


@contextlib.contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Log lines (and events written) within carry `request_id`; an empty one leaves the context as it is."""
    if not request_id:
        yield
        return
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield


class _Stdout:
    """Whatever sys.stdout is when a line is written: loggers cached on first use never hold on to a stream
    that was replaced and closed since (a test's captured output, a redirected stdout)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def configure_logging(service: str, level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            _safe_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # _Stdout is all of a text stream the PrintLogger uses (write, flush)
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, _Stdout())),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through the standard library; keep their warnings, as plain lines on stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter(logging.BASIC_FORMAT))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def configure_tracing(service: str, settings: Settings | None = None) -> TracerProvider:
    """A tracer provider named after the service, sampling parent-based at [tracing] sample_ratio, exporting
    over OTLP/gRPC in batches from a thread of its own when [tracing] export is on (the mesh's Jaeger)."""
    settings = settings or get_settings()
    tracing = settings.tracing
    resource = Resource.create({"service.name": service, "service.namespace": "fintech"})
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(tracing.sample_ratio)))
    endpoint = tracing.endpoint(settings.jaeger)
    if endpoint is not None:
        # Spans wait in a bounded queue and leave in batches: a slow or absent collector drops spans (counted
        # by the SDK), it never holds up a call.
        exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True, timeout=5)
        provider.add_span_processor(
            BatchSpanProcessor(
                exporter,
                max_queue_size=tracing.max_queue_size,
                schedule_delay_millis=tracing.schedule_delay_seconds * 1000,
            )
        )
    trace.set_tracer_provider(provider)
    return provider


def tag_span(**ids: str) -> None:
    """Ids on the current span as `fintech.<name>` attributes, so that a trace can be found by them
    (`python -m tools.trace <payment id>`). Identifiers only: a span must hold no personal data."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({f"fintech.{name}": value for name, value in ids.items()})


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    start_http_server(port, addr=host)


def split_method(full_method: str) -> tuple[str, str]:
    """`/fintech.payments.v1.PaymentInitiationService/InitiatePayment` -> (service, method)."""
    _, service, method = full_method.split("/", 2)
    return service, method
