"""The payments business view: payments and their outcomes, fraud checks, reviews, settlement, events."""

from __future__ import annotations

from fintech.payments.v1 import payment_execution_service_pb2, payment_initiation_service_pb2, settlement_service_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import fraud_detection_service_pb2
from grafana_foundation_sdk.builders import dashboard as dash

from services.payments.adapters.backlog_metrics import REVIEW_QUEUE, REVIEW_QUEUE_AGE, UNSETTLED, UNSETTLED_AGE
from services.payments.app.webhook_delivery import ATTEMPTS as WEBHOOK_ATTEMPTS
from services.risk.adapters.clients import ONLINE_FALLBACKS
from services.risk.app.fraud import DECISIONS as FRAUD_DECISIONS
from services.runtime.access import ACCESS_DENIED
from services.runtime.config import Settings
from services.runtime.consumer import CONSUMER_LAG, EVENTS_CONSUMED
from services.runtime.observability import RPC_HANDLED, RPC_LATENCY
from services.runtime.relay import OUTBOX_FAILURES, OUTBOX_OLDEST_AGE, OUTBOX_PENDING
from tools.k8s.dashboards.panels import RATE, Rpc, base, buckets, counter, gauge, graph, query, recorded, rpc
from tools.observability.rules import (
    CONSUMER_LAG_RECORDS,
    FRAUD_DECLINE_RATIO,
    FRAUD_REVIEW_RATIO,
    P95_LATENCY_SECONDS,
    PAYMENT_FAILURE_RATIO,
    REVIEW_QUEUE_AGE_SECONDS,
    SERVER_ERROR_CODES,
    SETTLEMENT_CUTOFF_SECONDS,
)

INITIATE = rpc(payment_initiation_service_pb2, "PaymentInitiationService", "InitiatePayment")
CANCEL = rpc(payment_initiation_service_pb2, "PaymentInitiationService", "CancelPayment")
REVIEW = rpc(payment_initiation_service_pb2, "PaymentInitiationService", "ControlPayment")
EXECUTE = rpc(payment_execution_service_pb2, "PaymentExecutionService", "ExecutePayment")
FRAUD = rpc(fraud_detection_service_pb2, "FraudDetectionService", "EvaluateTransactionFraud")
SETTLE = rpc(settlement_service_pb2, "SettlementService", "InitiateSettlementBatch")
CONTROL_SETTLEMENT = rpc(settlement_service_pb2, "SettlementService", "ControlSettlementBatch")


def decision(value: int) -> str:
    """The decision label risk counts a fraud assessment under (services/risk/app/fraud.py)."""
    return FA.FraudDecision.Name(value).removeprefix("FRAUD_DECISION_").lower()


def dashboard(settings: Settings) -> dash.Dashboard:
    handled, latency = counter(RPC_HANDLED), buckets(RPC_LATENCY)
    namespace = f'namespace="{settings.mesh.namespace}"'

    def calls(*rpcs: Rpc, by: str = "grpc_code", code: str = "") -> str:
        methods = "|".join(r.method for r in rpcs)
        services = "|".join(sorted({r.service for r in rpcs}))
        selector = f'{namespace},grpc_service=~"{services}",grpc_method=~"{methods}"{code}'
        return f"sum by ({by}) (rate({handled}{{{selector}}}[{RATE}]))"

    fraud = f"{namespace},{FRAUD.selector}"
    decisions, ratio = counter(FRAUD_DECISIONS), recorded(settings, "fintech:fraud_decision_ratio:rate15m")
    booking = (INITIATE, EXECUTE)
    every = calls(*booking, by="grpc_method")
    server = f',grpc_code=~"{"|".join(SERVER_ERROR_CODES)}"'
    board = base(
        "fintech-payments",
        "FinTech payments: the business view",
        "Payments asked for and their outcomes, fraud checks, reviews, settlement batches and the events and "
        "webhooks that tell the rest of the bank, from the metrics the services export.",
    )
    board = (
        board.with_row(dash.Row("Payments"))
        .with_panel(
            graph(
                "Payments initiated, by outcome",
                "InitiatePayment calls per second by gRPC code: OK is a payment taken (executed, scheduled or "
                "held for review), FAILED_PRECONDITION one refused (the account does not cover it or is not "
                "active, or an idempotency key reused for another request), INVALID_ARGUMENT a malformed one.",
                "reqps",
                [query(calls(INITIATE), "{{grpc_code}}")],
                stacked=True,
            )
        )
        .with_panel(
            graph(
                "Payment failure rate",
                "Share of payment initiations that failed (declined, refused or errors; the callers' mistakes "
                "excluded), as the PaymentFailureRateHigh alert reads it (its threshold is the line), and the "
                "share of InitiatePayment and ExecutePayment calls that failed on the service's side.",
                "percentunit",
                [
                    query(recorded(settings, "fintech:payment_failure_ratio:rate5m"), "failed"),
                    query(
                        f"{calls(*booking, by='grpc_method', code=server)} / {every}", "{{grpc_method}} server error"
                    ),
                ],
                limit=PAYMENT_FAILURE_RATIO,
            )
        )
        .with_panel(
            graph(
                "Reviews and cancellations",
                "ControlPayment (a reviewer releases or rejects a held payment) and CancelPayment calls per "
                "second, by outcome.",
                "reqps",
                [query(calls(REVIEW, CANCEL, by="grpc_method, grpc_code"), "{{grpc_method}} {{grpc_code}}")],
                stacked=True,
            )
        )
        .with_panel(
            graph(
                "Review queue: longest wait",
                "How long the longest-held payment has waited for a reviewer, its amount reserved; the line is "
                "ReviewQueueStale's threshold. Every replica reports the same value: the max is the bank's.",
                "s",
                [query(f"max({gauge(REVIEW_QUEUE_AGE)}{{{namespace}}})", "oldest held")],
                limit=REVIEW_QUEUE_AGE_SECONDS,
                width=12,
            )
        )
        .with_panel(
            graph(
                "Review queue: payments held",
                "Payments held for review, waiting for a person's decision.",
                "short",
                [query(f"max({gauge(REVIEW_QUEUE)}{{{namespace}}})", "held")],
                width=12,
            )
        )
    )
    board = (
        board.with_row(dash.Row("Fraud"))
        .with_panel(
            graph(
                "Fraud decisions",
                "Fraud assessments per second by decision (approve, review: held for a reviewer, decline), "
                "counted once per payment by risk.",
                "reqps",
                [query(f"sum by (decision) (rate({decisions}{{{namespace}}}[{RATE}]))", "{{decision}}")],
                stacked=True,
            )
        )
        .with_panel(
            graph(
                "Declined",
                "Share of payments fraud screening declines (15 minutes), as FraudDeclineRateHigh reads it; "
                "the line is its threshold.",
                "percentunit",
                [query(f'{ratio}{{decision="{decision(FA.FRAUD_DECISION_DECLINE)}"}}', "declined")],
                limit=FRAUD_DECLINE_RATIO,
            )
        )
        .with_panel(
            graph(
                "Held for review",
                "Share of payments fraud screening holds for a reviewer (15 minutes), as FraudHoldRateHigh reads "
                "it; the line is its threshold. Above it the review queue grows faster than people clear it.",
                "percentunit",
                [query(f'{ratio}{{decision="{decision(FA.FRAUD_DECISION_REVIEW)}"}}', "held")],
                limit=FRAUD_REVIEW_RATIO,
            )
        )
        .with_panel(
            graph(
                "Decided without the model",
                "Fraud decisions per second taken on the rules alone because the model (Triton) did not answer "
                "(FraudModelFallbackInUse fires on any).",
                "reqps",
                [query(f'sum(rate({decisions}{{{namespace},model_unavailable="true"}}[{RATE}]))', "rules alone")],
            )
        )
        .with_panel(
            graph(
                "Fraud evaluation p95",
                "95th percentile of the time a fraud evaluation takes (model scoring included).",
                "s",
                [
                    query(f"histogram_quantile(0.95, sum by (le) (rate({latency}{{{fraud}}}[{RATE}])))", "p95"),
                ],
                limit=P95_LATENCY_SECONDS,
            )
        )
        .with_panel(
            graph(
                "Online features fallback, by reason",
                "Evaluations whose online features came from the features service instead of Redis, per second.",
                "reqps",
                [query(f"sum by (reason) (rate({counter(ONLINE_FALLBACKS)}{{{namespace}}}[{RATE}]))", "{{reason}}")],
                stacked=True,
            )
        )
    )
    board = (
        board.with_row(dash.Row("Settlement"))
        .with_panel(
            graph(
                "Settlement: oldest batch past its window",
                "Seconds since the window of the oldest batch neither settled nor failed ended; the line is the "
                "cut-off SettlementMissedCutoff fires on.",
                "s",
                [query(f"max({gauge(UNSETTLED_AGE)}{{{namespace}}})", "oldest unsettled")],
                limit=SETTLEMENT_CUTOFF_SECONDS,
            )
        )
        .with_panel(
            graph(
                "Settlement: batches not settled",
                "Batches whose window has ended, neither settled nor failed.",
                "short",
                [query(f"max({gauge(UNSETTLED)}{{{namespace}}})", "unsettled")],
            )
        )
        .with_panel(
            graph(
                "Settlement batches, by outcome",
                "InitiateSettlementBatch and ControlSettlementBatch calls per second, by outcome.",
                "reqps",
                [
                    query(
                        calls(SETTLE, CONTROL_SETTLEMENT, by="grpc_method, grpc_code"), "{{grpc_method}} {{grpc_code}}"
                    )
                ],
            )
        )
    )
    board = (
        board.with_row(dash.Row("Events and notifications"))
        .with_panel(
            graph(
                "Outbox: oldest event not yet published",
                "Age of each service's oldest event still in its outbox: the delay before the rest of the bank "
                "hears of a payment.",
                "s",
                [query(f"max by (job) ({gauge(OUTBOX_OLDEST_AGE)}{{{namespace}}})", "{{job}}")],
            )
        )
        .with_panel(
            graph(
                "Outbox: pending and failed publishes",
                "Events waiting in each service's outbox, and failed publish attempts per second.",
                "short",
                [
                    query(f"sum by (job) ({gauge(OUTBOX_PENDING)}{{{namespace}}})", "{{job}} pending"),
                    query(
                        f"sum by (job) (rate({counter(OUTBOX_FAILURES)}{{{namespace}}}[{RATE}]))", "{{job}} failed/s"
                    ),
                ],
            )
        )
        .with_panel(
            graph(
                "Events consumed, by outcome",
                "Records the consumers handled per second: applied, duplicate (a redelivery, applied once), "
                "ignored, dead_lettered (sent to the topic's .dlq: someone must look).",
                "reqps",
                [
                    query(
                        f"sum by (consumer_group, outcome) (rate({counter(EVENTS_CONSUMED)}{{{namespace}}}[{RATE}]))",
                        "{{consumer_group}} {{outcome}}",
                    )
                ],
                stacked=True,
            )
        )
        .with_panel(
            graph(
                "Consumer lag",
                "Records on the broker each consumer group has not yet applied, by topic; the line is "
                "ConsumerLagHigh's threshold.",
                "short",
                [
                    query(
                        f"sum by (consumer_group, topic) (max by (consumer_group, topic, partition) "
                        f"({gauge(CONSUMER_LAG)}{{{namespace}}}))",
                        "{{consumer_group}} {{topic}}",
                    )
                ],
                limit=CONSUMER_LAG_RECORDS,
            )
        )
        .with_panel(
            graph(
                "Webhook deliveries, by outcome",
                "Attempts to deliver payment events to customers' webhook endpoints, per second.",
                "reqps",
                [query(f"sum by (outcome) (rate({counter(WEBHOOK_ATTEMPTS)}{{{namespace}}}[{RATE}]))", "{{outcome}}")],
                stacked=True,
            )
        )
        .with_panel(
            graph(
                "Access refused, by reason",
                "Calls refused to their caller per second (services/runtime/access.py); one principal refused "
                "again and again fires AccessDeniedBurst.",
                "reqps",
                [
                    query(
                        f"sum by (job, reason) (rate({counter(ACCESS_DENIED)}{{{namespace}}}[{RATE}]))",
                        "{{job}} {{reason}}",
                    )
                ],
                stacked=True,
            )
        )
    )
    return board
