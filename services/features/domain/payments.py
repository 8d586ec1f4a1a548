"""What a payment event adds to the feature store: one history row per entity it concerns, and the entities an
erased customer's features live on."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from fintech.common.v1 import event_envelope_pb2
from fintech.features.v1 import entity_pb2
from fintech.payments.v1 import events_pb2 as payment_events

from libs.featurespec.definitions import CURRENCY, FEATURES, Entity
from services.features.domain.readings import entity_type

FEATURE_NAMES = {entity: [f.name for f in FEATURES if f.entity == entity] for entity in Entity}
# How many features each entity type has: the values an online row holds.
FEATURE_COUNTS = Counter(feature.entity for feature in FEATURES)


@dataclass(frozen=True)
class EntityRow:
    """One entity a payment concerns, with its counterparty in that payment."""

    entity: Entity
    entity_id: uuid.UUID
    counterparty: uuid.UUID | None


@dataclass(frozen=True)
class PaymentRows:
    occur_time: datetime
    customer: uuid.UUID | None
    rows: list[EntityRow]
    in_currency: bool  # the amount counts towards the money features (CURRENCY)
    amount_in_currency: int  # the amount in minor units when in CURRENCY, else 0


def _uuid(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def payment_rows(envelope: event_envelope_pb2.EventEnvelope, event: payment_events.PaymentInitiated) -> PaymentRows:
    """The payer (customer), the debtor account and, paid to an account, the payee (merchant), each with the
    other side as counterparty."""
    occur = (event.create_time if event.HasField("create_time") else envelope.occur_time).ToDatetime(tzinfo=UTC)
    customer = _uuid(event.customer_id)
    debtor = _uuid(event.debtor_account_id)
    creditor = _uuid(event.creditor_account_id) if event.WhichOneof("creditor") == "creditor_account_id" else None
    candidates = [(Entity.CUSTOMER, customer, creditor), (Entity.ACCOUNT, debtor, creditor)]
    if creditor is not None:
        candidates.append((Entity.MERCHANT, creditor, debtor))
    rows = [EntityRow(entity, entity_id, other) for entity, entity_id, other in candidates if entity_id is not None]
    in_currency = event.amount.currency_code == CURRENCY
    return PaymentRows(occur, customer, rows, in_currency, event.amount.amount_minor if in_currency else 0)


def erased_customer_keys(customer_id: str, accounts: list[uuid.UUID]) -> list[entity_pb2.EntityKey]:
    """An erased customer's entities: the customer and its accounts."""
    customer = entity_pb2.EntityKey(entity_type=entity_type(Entity.CUSTOMER), entity_id=customer_id)
    return [customer] + [
        entity_pb2.EntityKey(entity_type=entity_type(Entity.ACCOUNT), entity_id=str(account)) for account in accounts
    ]
