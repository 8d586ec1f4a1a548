"""The payments service, built: `build()` for `python -m services.payments` (and tests that start it).

The standard domain service (services.runtime.app.domain_service: database migrated at startup, outbox
relay, readiness on both) with the position keeping, initiation, execution, settlement and notification
servicers, and beside them: the risk and customer clients (their channels open when the service starts),
the erasure of customers' data keys and their eviction from this process's cache, the sweeper of stranded
screenings, the executor of future-dated payments, the closer of settlement windows, and the webhook
matcher and dispatcher.
"""

from __future__ import annotations

from fintech.payments.v1 import payment_execution_service_pb2_grpc as esvc_grpc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc
from fintech.payments.v1 import payment_notification_service_pb2_grpc as nsvc_grpc
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc
from fintech.payments.v1 import settlement_service_pb2_grpc as ssvc_grpc

from services.payments.adapters.background import (
    DueExecutions,
    KeyEviction,
    PaymentDataErasure,
    StrandedScreenings,
    WindowCloser,
)
from services.payments.adapters.backlog_metrics import BacklogMetrics
from services.payments.adapters.channel_rollout import FlagRollout
from services.payments.adapters.clients import CustomerVerification, RiskScreening
from services.payments.adapters.events.webhook_matcher import WebhookMatcher
from services.payments.adapters.sealing import Sealer
from services.payments.adapters.verified_customers import VerifiedCustomers
from services.payments.adapters.webhook_sender import HttpSender, http_client
from services.payments.api.execution import PaymentExecution
from services.payments.api.initiation import PaymentInitiation
from services.payments.api.notifications import PaymentNotifications
from services.payments.api.position_keeping import PositionKeeping
from services.payments.api.settlement import Settlement
from services.payments.app.accounts import Accounts
from services.payments.app.payments import Payments
from services.payments.app.settlement import SettlementBatches
from services.payments.app.webhook_delivery import WebhookDispatcher
from services.payments.app.webhooks import WebhookEndpoints
from services.payments.config import WebhookSettings, load_keys
from services.runtime.app import domain_service
from services.runtime.clients import ServiceClient
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.flags import Flags
from services.runtime.server import Service


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("payments", settings)
    keys = load_keys(settings)
    webhook = WebhookSettings()
    local = settings.mesh.mode == "local"  # the dev mesh: webhook receivers on 127.0.0.1 are allowed
    risk = ServiceClient("payments", "risk", settings=settings)
    customer = ServiceClient("payments", "customer", settings=settings)
    sealer = Sealer(keys)
    verified = VerifiedCustomers()  # trusted while KeyEviction listens for revocations
    verification = CustomerVerification(customer, verified)
    flags = Flags(settings.flags, "payments")  # the webhook kill switch, the new channel's rollout
    payments = Payments(database, sealer, RiskScreening(risk), verification, keys.page_token_key, FlagRollout(flags))
    accounts = Accounts(database, sealer, verification, keys.page_token_key)
    return domain_service(
        "payments",
        [
            (pk_grpc.add_PositionKeepingServiceServicer_to_server, PositionKeeping(accounts)),
            (isvc_grpc.add_PaymentInitiationServiceServicer_to_server, PaymentInitiation(payments)),
            (esvc_grpc.add_PaymentExecutionServiceServicer_to_server, PaymentExecution(payments)),
            (
                nsvc_grpc.add_PaymentNotificationServiceServicer_to_server,
                PaymentNotifications(WebhookEndpoints(database, keys, allow_loopback=local)),
            ),
            (
                ssvc_grpc.add_SettlementServiceServicer_to_server,
                Settlement(SettlementBatches(database, keys.page_token_key)),
            ),
        ],  # fmt: skip
        settings,
        database=database,
        background=[
            risk,
            customer,
            PaymentDataErasure(database, sealer, settings),
            KeyEviction(sealer, database, settings, verified),  # in every process: erasures and KYC revocations
            StrandedScreenings(payments),
            DueExecutions(payments),
            WebhookMatcher(database, settings),
            flags,
            WebhookDispatcher(
                database,
                keys,
                HttpSender(lambda: http_client(settings, webhook)),
                webhook,
                allow_loopback=local,
                flags=flags,
            ),
            WindowCloser(database),
            BacklogMetrics(database),
        ],
    )
