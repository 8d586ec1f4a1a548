"""SLOs: the availability budget's burn rates over the windows the alerts use, latency and errors."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import stat

from services.runtime.config import Settings
from tools.k8s.dashboards.panels import (
    DATASOURCE,
    alert_names,
    base,
    graph,
    job_variable,
    query,
    recorded,
    single,
    thresholds,
)
from tools.observability.rules import (
    AVAILABILITY_OBJECTIVE,
    BURN_RATES,
    ERROR_RATE_THRESHOLD,
    P95_LATENCY_SECONDS,
)


def dashboard(settings: Settings) -> dash.Dashboard:
    budget = 1 - AVAILABILITY_OBJECTIVE
    scope = 'job=~"$job"'

    def ratio(window: str) -> str:
        """The worst RPC of each service: the rules record (and alert on) each RPC's own error ratio."""
        return f"max by (job) ({recorded(settings, f'fintech:grpc_server_error_ratio:rate{window}')}{{{scope}}})"

    longest = max((long for _, long, _, _ in BURN_RATES), key=_seconds)
    board = base(
        "fintech-slo",
        "FinTech SLOs: availability budget burn",
        f"Availability objective {AVAILABILITY_OBJECTIVE:.1%} per service: the multi-window burn rates the "
        f"FintechAvailabilityBudgetBurn alerts fire on (a burn rate of 1 spends the budget of {budget:g} in "
        "exactly the objective's period), p95 latency against its objective, and the alerts firing now.",
    ).with_variable(job_variable())
    board = (
        board.with_row(dash.Row("Now"))
        .with_panel(
            single(
                f"Availability over {longest}",
                f"1 - the share of calls that failed on the service's side over {longest}, of each service's "
                "worst RPC; red below the objective.",
                "percentunit",
                f"1 - {ratio(longest)}",
                (AVAILABILITY_OBJECTIVE, "red", "green"),
            )
        )
        .with_panel(
            single(
                f"Budget burn rate over {longest}",
                f"How fast the service spends its error budget over {longest} (1 = exactly on budget).",
                "suffix:x",
                f"{ratio(longest)} / {budget:g}",
                (1, "green", "red"),
            )
        )
        .with_panel(
            stat.Panel()
            .title("Alerts firing")
            .description("The SLO and security alerts of the rules generator that are firing now.")
            .datasource(DATASOURCE)
            .span(12)
            .height(5)
            .with_target(
                query(
                    f'sum by (alertname, severity) (ALERTS{{alertname=~"{"|".join(alert_names(settings))}",'
                    f'alertstate="firing"}})',
                    "{{alertname}} ({{severity}})",
                )
            )
            .no_value("none")
            .thresholds(thresholds((None, "green"), (1, "red")))
        )
    )
    board = board.with_row(dash.Row("Burn rates (multi-window, multi-burn-rate)"))
    for severity, long, short, rate in BURN_RATES:
        board = board.with_panel(
            graph(
                f"{severity}: {long} and {short} windows above {rate:g}x",
                f"Budget burn rate over {long} and over {short}; the {severity} alert fires when both stay "
                f"above the line ({rate:g}x: {rate * budget:.2%} of calls failing).",
                "suffix:x",
                [
                    query(f"{ratio(long)} / {budget:g}", f"{{{{job}}}} {long}"),
                    query(f"{ratio(short)} / {budget:g}", f"{{{{job}}}} {short}"),
                ],
                limit=rate,
            )
        )
    p95 = recorded(settings, "fintech:grpc_server_handling_seconds:p95_rate5m")
    board = (
        board.with_row(dash.Row("Latency and errors"))
        .with_panel(
            graph(
                "p95 latency (long-running RPCs excluded)",
                "The recorded p95 the FintechLatencyP95High alert watches; the line is the objective.",
                "s",
                [query(f"{p95}{{{scope}}}", "{{job}} {{grpc_method}}")],
                limit=P95_LATENCY_SECONDS,
                width=12,
            )
        )
        .with_panel(
            graph(
                "Server error ratio (5m)",
                "The recorded error ratio the FintechErrorRateHigh alert watches; the line is its threshold.",
                "percentunit",
                [query(ratio("5m"), "{{job}}")],
                limit=ERROR_RATE_THRESHOLD,
                width=12,
            )
        )
    )
    return board


def _seconds(window: str) -> int:
    return int(window[:-1]) * {"m": 60, "h": 3600, "d": 86400}[window[-1]]
