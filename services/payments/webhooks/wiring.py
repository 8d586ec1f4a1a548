"""The webhook parts of the payments service, for its `__main__` to serve and start:

    servicers, workers = webhooks.wiring.parts(database, settings, keys)

the PaymentNotificationService servicer, and the matcher (Kafka consumer) and dispatcher (HTTP
sender) that run beside it, started after the migrations and stopped before the database closes.
"""

from __future__ import annotations

from fintech.payments.v1 import payment_notification_service_pb2_grpc as nsvc_grpc

from services.payments.config import PaymentsKeys
from services.payments.webhooks.config import WebhookSettings
from services.payments.webhooks.consumer import WebhookMatcher
from services.payments.webhooks.delivery import WebhookDispatcher
from services.payments.webhooks.servicer import PaymentNotifications, WebhookContext
from services.runtime.config import Settings
from services.runtime.db import Database


def parts(database: Database, settings: Settings, keys: PaymentsKeys) -> tuple[list, list]:
    webhook = WebhookSettings()
    servicer = PaymentNotifications(WebhookContext(database, settings, keys, webhook))
    workers = [WebhookMatcher(database, settings), WebhookDispatcher(database, keys, settings, webhook)]
    return [(nsvc_grpc.add_PaymentNotificationServiceServicer_to_server, servicer)], workers
