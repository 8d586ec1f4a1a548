"""RED: the rate, errors and duration of every service, all together and one row per service."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import timeseries

from services.runtime.admission import IN_FLIGHT, REFUSED, WAITING
from services.runtime.config import Settings
from services.runtime.observability import RPC_HANDLED, RPC_LATENCY
from tools.k8s.dashboards.panels import RATE, base, buckets, counter, gauge, graph, job_variable, query
from tools.observability.rules import ERROR_RATE_THRESHOLD, P95_LATENCY_SECONDS, SERVER_ERROR_CODES


def dashboard(settings: Settings) -> dash.Dashboard:
    handled, latency = counter(RPC_HANDLED), buckets(RPC_LATENCY)
    scope = f'namespace="{settings.mesh.namespace}",job=~"$job"'
    server_errors = f'{scope},grpc_code=~"{"|".join(SERVER_ERROR_CODES)}"'
    board = base(
        "fintech-red",
        "FinTech services: rate, errors, duration",
        "Every gRPC call the services answer (runtime metrics: grpc_server_handled_total, "
        "grpc_server_handling_seconds), all services first, then one row per service.",
    ).with_variable(job_variable())
    board = (
        board.with_row(dash.Row("All services"))
        .with_panel(
            graph(
                "Rate",
                "Calls answered per second, by service.",
                "reqps",
                [query(f"sum by (job) (rate({handled}{{{scope}}}[{RATE}]))", "{{job}}")],
            )
        )
        .with_panel(
            graph(
                "Server errors",
                f"Share of calls answered {', '.join(SERVER_ERROR_CODES)} (the service failed, not the caller); "
                "the line is the error-rate alert's threshold.",
                "percentunit",
                [
                    query(
                        f"sum by (job) (rate({handled}{{{server_errors}}}[{RATE}])) "
                        f"/ sum by (job) (rate({handled}{{{scope}}}[{RATE}]))",
                        "{{job}}",
                    )
                ],
                limit=ERROR_RATE_THRESHOLD,
            )
        )
        .with_panel(
            graph(
                "Duration p95",
                "95th percentile of the time to answer, by service; the line is the latency objective.",
                "s",
                [query(f"histogram_quantile(0.95, sum by (job, le) (rate({latency}{{{scope}}}[{RATE}])))", "{{job}}")],
                limit=P95_LATENCY_SECONDS,
            )
        )
    )
    # One row per service the variable selects (all by default): Grafana repeats the row and its panels.
    one = f'namespace="{settings.mesh.namespace}",job="$job"'
    board = board.with_row(dash.Row("$job").repeat("job"))
    for panel in service_panels(one):
        board = board.with_panel(panel)
    return board


def service_panels(scope: str) -> list[timeseries.Panel]:
    """The RED panels of one service (`scope` selects it), by method, and its admission queue (saturation)."""
    handled, latency = counter(RPC_HANDLED), buckets(RPC_LATENCY)
    return [
        graph(
            "Rate by method",
            "Calls answered per second, by RPC.",
            "reqps",
            [query(f"sum by (grpc_method) (rate({handled}{{{scope}}}[{RATE}]))", "{{grpc_method}}")],
            stacked=True,
            width=6,
        ),
        graph(
            "Errors by method and code",
            "Calls answered with any code but OK, per second: INVALID_ARGUMENT, NOT_FOUND and the like are the "
            "callers' mistakes, UNAVAILABLE, INTERNAL and DEADLINE_EXCEEDED the service's.",
            "reqps",
            [
                query(
                    f'sum by (grpc_method, grpc_code) (rate({handled}{{{scope},grpc_code!="OK"}}[{RATE}]))',
                    "{{grpc_method}} {{grpc_code}}",
                )
            ],
            stacked=True,
            width=6,
        ),
        graph(
            "Duration p95 by method",
            "95th percentile of the time to answer, by RPC.",
            "s",
            [
                query(
                    f"histogram_quantile(0.95, sum by (grpc_method, le) (rate({latency}{{{scope}}}[{RATE}])))",
                    "{{grpc_method}}",
                )
            ],
            limit=P95_LATENCY_SECONDS,
            width=6,
        ),
        graph(
            "Saturation: admission",
            "Calls in progress and waiting for a slot (services/runtime/admission.py), and calls refused for "
            "want of one (RESOURCE_EXHAUSTED), per second.",
            "short",
            [
                query(f"sum({gauge(IN_FLIGHT)}{{{scope}}})", "in flight"),
                query(f"sum({gauge(WAITING)}{{{scope}}})", "waiting"),
                query(f"sum(rate({counter(REFUSED)}{{{scope}}}[{RATE}]))", "refused/s"),
            ],
            width=6,
        ),
    ]
