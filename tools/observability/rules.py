"""The recording and alerting rules: one source for Kubernetes' PrometheusRule (tools/k8s) and the local
Prometheus's rules file (tools/mesh/prometheus.py), so an alert tested here is the alert that pages.

Here rather than in tools/k8s or tools/mesh because both render it; in tools/ (not libs/) because no service
runs it. Metric names come from the code that exports them (services/runtime/observability.py, access.py,
relay.py, consumer.py, db.py, flags.py; risk's app/fraud.py; payments' adapters/backlog_metrics.py; the lake's
adapters/reconciliation_metrics.py) and from the
exporters and Envoy; tests/observability checks both
the names and that every alert has promtool tests (tests/observability/rules_test.yaml).
"""

from __future__ import annotations

from typing import Any

from services.runtime.access import ACCESS_DENIED
from services.runtime.config import SERVICES
from services.runtime.consumer import EVENTS_CONSUMED
from services.runtime.db import POOL_CAPACITY, POOL_CHECKED_OUT
from services.runtime.flags import FALLBACKS as FLAG_FALLBACKS
from services.runtime.observability import RPC_HANDLED, RPC_LATENCY
from services.runtime.relay import OUTBOX_OLDEST_AGE
from tools.edge import config as edge_config

Rule = dict[str, Any]

AVAILABILITY_OBJECTIVE = 0.999
P95_LATENCY_SECONDS = 0.25
ERROR_RATE_THRESHOLD = 0.01
# Codes that mean the service failed, not the caller (availability); INVALID_ARGUMENT, NOT_FOUND and the
# like are correct answers.
SERVER_ERROR_CODES = ("UNKNOWN", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED", "DATA_LOSS", "UNIMPLEMENTED")
# Refusals of one principal within 5 minutes that page security (services/runtime/access.py counts them).
ACCESS_DENIED_BURST = 20
# Multi-window burn-rate alerts (Google SRE workbook): (severity, long window, short window, burn rate).
BURN_RATES = (("critical", "1h", "5m", 14.4), ("critical", "6h", "30m", 6), ("warning", "3d", "6h", 1))
# Answers to InitiatePayment that are the caller's mistake, not a payment that failed.
CALLER_CODES = ("OK", "INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "ALREADY_EXISTS")
PAYMENT_FAILURE_RATIO = 0.05
FRAUD_DECLINE_RATIO = 0.05
FRAUD_REVIEW_RATIO = 0.20
OUTBOX_AGE_SECONDS = 60
POOL_SATURATION = 0.9
CONSUMER_LAG_RECORDS = 1000
# A payment held for review keeps the customer's money reserved: a person should decide within hours.
REVIEW_QUEUE_AGE_SECONDS = 4 * 3600
# A settlement batch is due at its cut-off: this long after its window ends (close, net, settle through the ledger).
SETTLEMENT_CUTOFF_SECONDS = 2 * 3600
# Requests the edge refuses for a missing or bad token within 5 minutes: someone is trying tokens.
EDGE_TOKEN_FAILURES = 50
# A reconciliation check that has not run for this long (its interval is a minute): the lake or its sources are away.
RECONCILIATION_STALE_SECONDS = 15 * 60
# The fraud decisions risk counts (services/risk/app/fraud.py): the model's absence is a label.
FRAUD_DECISIONS = "risk_fraud_decisions_total"
# The file exchange's oldest waiting inbound file (services/lake/adapters/exchange_tasks.py); a file waits while a
# transaction has no outcome yet. A customer expects the pain.002 within minutes.
EXCHANGE_INBOUND_AGE = "fintech_exchange_inbound_oldest_age_seconds"
EXCHANGE_INBOUND_AGE_SECONDS = 15 * 60


def _name(metric: Any, suffix: str = "") -> str:
    return str(next(iter(metric.describe())).name) + suffix


# -- the expressions, over any selector: the rules below select by namespace (and job), the canary analyses
# (tools/observability/analysis.py) by the canary's pods as well.

RPC = "job, grpc_service, grpc_method"


def ratio(metric: str, part: str, whole: str, window: str, by: str = "", *, none_is_zero: bool = False) -> str:
    """The share of `metric`'s rate that `part` selects among what `whole` selects. A part with no series yet (no
    error so far) leaves the ratio empty, which an alert reads as nothing to say; `none_is_zero` makes it 0 (for a
    single ratio, no `by`), which an analysis needs to pass."""
    grouping = f"sum by ({by}) " if by else "sum"
    part_rate = f"{grouping}(rate({metric}{{{part}}}[{window}]))"
    if none_is_zero:
        part_rate = f"({part_rate} or vector(0))"
    return f"{part_rate} / {grouping}(rate({metric}{{{whole}}}[{window}]))"


def server_error_ratio(selector: str, window: str, by: str = "", *, none_is_zero: bool = False) -> str:
    """The share of calls the server failed (SERVER_ERROR_CODES)."""
    handled = _name(RPC_HANDLED, "_total")
    errors = f'{selector},grpc_code=~"{"|".join(SERVER_ERROR_CODES)}"'
    return ratio(handled, errors, selector, window, by, none_is_zero=none_is_zero)


def p95_latency(selector: str, window: str, by: str = "") -> str:
    """The 95th percentile of the handling time, long-running report and batch RPCs left out."""
    latency = _name(RPC_LATENCY, "_bucket")
    fast = f'{selector},grpc_method!~"{"|".join(sorted(edge_config.SLOW_METHODS))}"'
    return f"histogram_quantile(0.95, sum by ({by + ', ' if by else ''}le) (rate({latency}{{{fast}}}[{window}])))"


def payment_failure_ratio(selector: str, window: str, *, none_is_zero: bool = False) -> str:
    """The share of payment initiations that failed: declined, refused or errors, caller mistakes excluded."""
    initiations = f'{selector},job="payments",grpc_method="InitiatePayment"'
    failed = f'{initiations},grpc_code!~"{"|".join(CALLER_CODES)}"'
    return ratio(_name(RPC_HANDLED, "_total"), failed, initiations, window, none_is_zero=none_is_zero)


def fraud_decline_ratio(selector: str, window: str, *, none_is_zero: bool = False) -> str:
    """The share of fraud assessments that declined the payment."""
    fraud = f'{selector},job="risk"'
    return ratio(FRAUD_DECISIONS, f'{fraud},decision="decline"', fraud, window, none_is_zero=none_is_zero)


def slo_groups(namespace: str) -> list[Rule]:
    """Availability 99.9 %, p95 latency and error rate per RPC (job, grpc_service, grpc_method), over the
    metrics the runtime exports (RPC_HANDLED, RPC_LATENCY; the job label is the Service's name)."""
    scope = f'namespace="{namespace}",job=~"{"|".join(SERVICES)}"'
    windows = sorted({window for _, long, short, _ in BURN_RATES for window in (long, short)}, key=_seconds)
    recording: list[Rule] = [
        {"record": f"fintech:grpc_server_error_ratio:rate{window}", "expr": server_error_ratio(scope, window, RPC)}
        for window in windows
    ]
    recording.append(
        {"record": "fintech:grpc_server_handling_seconds:p95_rate5m", "expr": p95_latency(scope, "5m", RPC)}
    )
    budget = 1 - AVAILABILITY_OBJECTIVE
    where = "{{ $labels.job }} {{ $labels.grpc_method }}"
    alerts: list[Rule] = [
        {
            "alert": "FintechAvailabilityBudgetBurn",
            "expr": f"fintech:grpc_server_error_ratio:rate{long} > {rate} * {budget:g} "
            f"and fintech:grpc_server_error_ratio:rate{short} > {rate} * {budget:g}",
            "labels": {"severity": severity, "slo": "availability", "window": long},
            "annotations": {
                "summary": f"{where} burns its {AVAILABILITY_OBJECTIVE:.1%} availability budget "
                f"{rate}x too fast ({long} and {short})",
            },
        }
        for severity, long, short, rate in BURN_RATES
    ]
    alerts += [
        {
            "alert": "FintechLatencyP95High",
            "expr": f"fintech:grpc_server_handling_seconds:p95_rate5m > {P95_LATENCY_SECONDS}",
            "for": "10m",
            "labels": {"severity": "warning", "slo": "latency"},
            "annotations": {"summary": f"{where} p95 latency above {P95_LATENCY_SECONDS * 1000:.0f} ms for 10 minutes"},
        },
        {
            "alert": "FintechErrorRateHigh",
            "expr": f"fintech:grpc_server_error_ratio:rate5m > {ERROR_RATE_THRESHOLD}",
            "for": "10m",
            "labels": {"severity": "warning", "slo": "errors"},
            "annotations": {"summary": f"{where} fails over {ERROR_RATE_THRESHOLD:.0%} of its calls for 10 minutes"},
        },
    ]
    return [
        {"name": "fintech-slo-recording", "rules": recording},
        {"name": "fintech-slo-alerts", "rules": alerts},
    ]


def business_groups(namespace: str) -> list[Rule]:
    """Payments that fail, fraud declines and holds, the review queue, settlement cut-offs, and risk deciding
    without its model (Triton down)."""
    fraud = f'namespace="{namespace}",job="risk"'
    recording: list[Rule] = [
        {
            "record": "fintech:payment_failure_ratio:rate5m",
            "expr": payment_failure_ratio(f'namespace="{namespace}"', "5m"),
        },
        {
            "record": "fintech:fraud_decision_ratio:rate15m",
            "expr": f"sum by (decision) (rate({FRAUD_DECISIONS}{{{fraud}}}[15m])) "
            f"/ ignoring (decision) group_left sum(rate({FRAUD_DECISIONS}{{{fraud}}}[15m]))",
        },
    ]
    alerts: list[Rule] = [
        {
            "alert": "PaymentFailureRateHigh",
            "expr": f"fintech:payment_failure_ratio:rate5m > {PAYMENT_FAILURE_RATIO}",
            "for": "10m",
            "labels": {"severity": "critical", "category": "business"},
            "annotations": {
                "summary": f"over {PAYMENT_FAILURE_RATIO:.0%} of payment initiations fail "
                "(declined, refused or errors; caller mistakes excluded) for 10 minutes"
            },
        },
        {
            "alert": "FraudDeclineRateHigh",
            "expr": f'fintech:fraud_decision_ratio:rate15m{{decision="decline"}} > {FRAUD_DECLINE_RATIO}',
            "for": "15m",
            "labels": {"severity": "warning", "category": "business"},
            "annotations": {
                "summary": f"fraud screening declines over {FRAUD_DECLINE_RATIO:.0%} of payments: an attack, "
                "or a model or threshold gone wrong"
            },
        },
        {
            "alert": "FraudHoldRateHigh",
            "expr": f'fintech:fraud_decision_ratio:rate15m{{decision="review"}} > {FRAUD_REVIEW_RATIO}',
            "for": "15m",
            "labels": {"severity": "warning", "category": "business"},
            "annotations": {
                "summary": f"fraud screening holds over {FRAUD_REVIEW_RATIO:.0%} of payments for review: "
                "the review queue grows faster than people clear it"
            },
        },
        {
            "alert": "ReviewQueueStale",
            "expr": f'max(payments_review_queue_oldest_age_seconds{{namespace="{namespace}"}}) '
            f"> {REVIEW_QUEUE_AGE_SECONDS}",
            "for": "5m",
            "labels": {"severity": "warning", "category": "business"},
            "annotations": {
                "summary": f"a payment has waited over {REVIEW_QUEUE_AGE_SECONDS // 3600} hours for review, its amount "
                "reserved"
            },
        },
        {
            "alert": "SettlementMissedCutoff",
            "expr": f'max(payments_settlement_oldest_unsettled_age_seconds{{namespace="{namespace}"}}) '
            f"> {SETTLEMENT_CUTOFF_SECONDS}",
            "for": "5m",
            "labels": {"severity": "critical", "category": "business"},
            "annotations": {
                "summary": f"a settlement batch is not settled {SETTLEMENT_CUTOFF_SECONDS // 3600} hours after its "
                "window ended (its cut-off)"
            },
        },
        {
            "alert": "FraudModelFallbackInUse",
            # Fallback decisions in every 2-minute window for 3 minutes: Triton (or the model) is away, not a
            # single call that timed out.
            "expr": f'sum(rate({FRAUD_DECISIONS}{{{fraud},model_unavailable="true"}}[2m])) > 0',
            "for": "3m",
            "labels": {"severity": "warning", "category": "business"},
            "annotations": {"summary": "risk decides fraud on its rules alone: the fraud model does not answer"},
        },
        {
            "alert": "TritonUnavailable",
            "expr": f'up{{namespace="{namespace}",job="triton"}} == 0',
            "for": "1m",
            "labels": {"severity": "critical", "category": "business"},
            "annotations": {
                "summary": "Triton does not answer: fraud decisions fall back to the rules alone, credit "
                "decisions are refused"
            },
        },
    ]
    return [
        {"name": "fintech-business-recording", "rules": recording},
        {"name": "fintech-business-alerts", "rules": alerts},
    ]


def technical_groups(namespace: str) -> list[Rule]:
    """The machinery under the SLOs: the outbox, the consumers, the database pools, the stores."""
    scope = f'namespace="{namespace}"'
    outbox, consumed = _name(OUTBOX_OLDEST_AGE), _name(EVENTS_CONSUMED, "_total")
    checked_out, capacity = _name(POOL_CHECKED_OUT), _name(POOL_CAPACITY)
    flag_fallbacks = _name(FLAG_FALLBACKS, "_total")
    alerts: list[Rule] = [
        {
            "alert": "OutboxBacklogOld",
            "expr": f"max by (job) ({outbox}{{{scope}}}) > {OUTBOX_AGE_SECONDS}",
            "for": "5m",
            "labels": {"severity": "critical", "category": "technical"},
            "annotations": {
                "summary": f"{{{{ $labels.job }}}} has events older than {OUTBOX_AGE_SECONDS} s not yet in Kafka: "
                "consumers (ledger, notifications, features) fall behind"
            },
        },
        {
            "alert": "EventsDeadLettered",
            "expr": "sum by (job, consumer_group, topic) "
            f'(increase({consumed}{{{scope},outcome="dead_lettered"}}[10m])) > 0',
            "labels": {"severity": "warning", "category": "technical"},
            "annotations": {
                "summary": "{{ $labels.consumer_group }} dead-lettered records of {{ $labels.topic }}: "
                "they need a fix and a replay"
            },
        },
        {
            "alert": "ConsumerLagHigh",
            "expr": "sum by (consumer_group, topic) (max by (consumer_group, topic, partition) "
            f"(kafka_consumer_lag_records{{{scope}}})) > {CONSUMER_LAG_RECORDS}",
            "for": "10m",
            "labels": {"severity": "warning", "category": "technical"},
            "annotations": {
                "summary": f"{{{{ $labels.consumer_group }}}} is over {CONSUMER_LAG_RECORDS} records behind on "
                "{{ $labels.topic }} for 10 minutes"
            },
        },
        {
            "alert": "DatabasePoolSaturated",
            "expr": f"sum by (job, instance) ({checked_out}{{{scope}}}) "
            f"/ sum by (job, instance) ({capacity}{{{scope}}}) > {POOL_SATURATION}",
            "for": "5m",
            "labels": {"severity": "warning", "category": "technical"},
            "annotations": {
                "summary": f"{{{{ $labels.job }}}} uses over {POOL_SATURATION:.0%} of its database connections: "
                "calls queue for one"
            },
        },
        {
            "alert": "PostgresDown",
            "expr": f"pg_up{{{scope}}} == 0",
            "for": "1m",
            "labels": {"severity": "critical", "category": "technical"},
            "annotations": {"summary": "postgres_exporter cannot reach PostgreSQL"},
        },
        {
            "alert": "RedisDown",
            "expr": f"redis_up{{{scope}}} == 0",
            "for": "1m",
            "labels": {"severity": "critical", "category": "technical"},
            "annotations": {"summary": "redis_exporter cannot reach Redis: online features come from PostgreSQL"},
        },
        {
            # A missing or broken flag source (file or flagd sidecar) serves the code's safe defaults: nothing
            # fails, but the experiments, kill switches and rollouts are not what the flag file says.
            "alert": "FeatureFlagsOnSafeDefaults",
            "expr": f"sum by (job, flag) (increase({flag_fallbacks}{{{scope}}}[5m])) > 0",
            "for": "5m",
            "labels": {"severity": "warning", "category": "technical"},
            "annotations": {
                "summary": "{{ $labels.job }} serves the safe default of flag {{ $labels.flag }}: its flag source "
                "is missing or broken, or the flag is (see the log's flags.fallback)"
            },
        },
        {
            "alert": "ExchangeInboundFileStuck",
            "expr": f"max by (job) ({EXCHANGE_INBOUND_AGE}{{{scope}}}) > {EXCHANGE_INBOUND_AGE_SECONDS}",
            "for": "5m",
            "labels": {"severity": "warning", "category": "technical"},
            "annotations": {
                "summary": f"a pain.001 file has waited in exchange/inbound/ over {EXCHANGE_INBOUND_AGE_SECONDS // 60} "
                "minutes: some transaction got no outcome from payments (the lake's log names the file)"
            },
        },
    ]
    return [{"name": "fintech-technical-alerts", "rules": alerts}]


def security_groups(namespace: str) -> list[Rule]:
    """Refusals that look like probing: one principal refused again and again, tokens refused at the edge."""
    denied = _name(ACCESS_DENIED, "_total")
    alerts: list[Rule] = [
        # A security event, not an SLO: one principal refused again and again is probing ids or roles. A new
        # principal's counter is born mid-burst (its first scrape already counts every refusal), which increase()
        # cannot see: a series younger than the window counts whole.
        {
            "alert": "AccessDeniedBurst",
            "expr": f"sum by (principal) (({denied} unless {denied} offset 5m) or increase({denied}[5m])) "
            f"> {ACCESS_DENIED_BURST}",
            "labels": {"severity": "critical", "category": "security"},
            "annotations": {
                "summary": f"{{{{ $labels.principal }}}} refused over {ACCESS_DENIED_BURST} times in 5 minutes"
            },
        },
        # Envoy's jwt_authn filter counts the requests it refuses (no token, bad signature, expired, wrong audience).
        {
            "alert": "EdgeTokenFailures",
            "expr": f'sum(increase(envoy_http_jwt_authn_denied{{namespace="{namespace}"}}[5m])) '
            f"> {EDGE_TOKEN_FAILURES}",
            "labels": {"severity": "warning", "category": "security"},
            "annotations": {
                "summary": f"the edge refused over {EDGE_TOKEN_FAILURES} requests for their token in 5 minutes"
            },
        },
    ]
    return [{"name": "fintech-security-alerts", "rules": alerts}]


def data_groups(namespace: str) -> list[Rule]:
    """The lake against its sources (services/lake/app/reconciliation.py): a mismatch, or no reconciliation."""
    scope = f'namespace="{namespace}"'
    # The lake's gauges (services/lake/adapters/reconciliation_metrics.py).
    mismatches, last_run = "lake_reconciliation_mismatches", "lake_reconciliation_last_run_timestamp_seconds"
    alerts: list[Rule] = [
        {
            # Each run compares only what the lake is known to hold (covered offsets, a watermark), so a mismatch is
            # no batch in flight; two runs in a row rule out a run that raced a commit.
            "alert": "LakeReconciliationMismatch",
            "expr": f"max by (check) ({mismatches}{{{scope}}}) > 0",
            "for": "2m",
            "labels": {"severity": "critical", "category": "data"},
            "annotations": {
                "summary": "the lake's {{ $labels.check }} does not match its source in {{ $value }} rows: see "
                "governance.reconciliation"
            },
        },
        {
            "alert": "LakeReconciliationStale",
            "expr": f"time() - max by (check) ({last_run}{{{scope}}}) > {RECONCILIATION_STALE_SECONDS}",
            "labels": {"severity": "warning", "category": "data"},
            "annotations": {
                "summary": f"the lake's {{{{ $labels.check }}}} has not been reconciled for over "
                f"{RECONCILIATION_STALE_SECONDS // 60} minutes"
            },
        },
    ]
    return [{"name": "fintech-data-alerts", "rules": alerts}]


def rule_groups(namespace: str) -> list[Rule]:
    """Every group, in the order Kubernetes' PrometheusRule and the local rules file list them."""
    return [
        *slo_groups(namespace),
        *business_groups(namespace),
        *technical_groups(namespace),
        *security_groups(namespace),
        *data_groups(namespace),
    ]


def alert_names(namespace: str) -> list[str]:
    return [rule["alert"] for group in rule_groups(namespace) for rule in group["rules"] if "alert" in rule]


def _seconds(window: str) -> int:
    return int(window[:-1]) * {"m": 60, "h": 3600, "d": 86400}[window[-1]]
