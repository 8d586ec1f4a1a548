"""The feature store's pure rules (services.features.domain): the rows a payment adds, the readings, the pages of
definitions. No database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fintech.common.v1 import event_envelope_pb2
from fintech.features.v1 import entity_pb2, feature_value_pb2
from fintech.payments.v1 import events_pb2

from libs.featurespec.definitions import BY_NAME, FEATURES, FRAUD_VIEW, Agg, Entity, ValueType
from services.features.domain import payments, readings
from services.features.domain.values import Value
from services.runtime.errors import InvalidArgument, NotFound

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _payment(currency: str = "EUR", *, to_account: bool = True) -> events_pb2.PaymentInitiated:
    event = events_pb2.PaymentInitiated(
        payment_id=str(uuid.uuid4()), customer_id=str(uuid.uuid4()), debtor_account_id=str(uuid.uuid4())
    )
    if to_account:
        event.creditor_account_id = str(uuid.uuid4())
    event.amount.amount_minor, event.amount.currency_code = 250, currency
    event.create_time.FromDatetime(NOW)
    return event


def test_a_payment_to_an_account_concerns_payer_debtor_and_payee_each_with_the_other_side():
    event = _payment()
    rows = payments.payment_rows(event_envelope_pb2.EventEnvelope(), event)
    debtor, creditor = uuid.UUID(event.debtor_account_id), uuid.UUID(event.creditor_account_id)
    assert [(r.entity, r.counterparty) for r in rows.rows] == [
        (Entity.CUSTOMER, creditor), (Entity.ACCOUNT, creditor), (Entity.MERCHANT, debtor),
    ]  # fmt: skip
    assert rows.occur_time == NOW and rows.in_currency and rows.amount_in_currency == 250


def test_a_payment_elsewhere_or_in_another_currency_adds_no_payee_and_no_money():
    event = _payment("USD", to_account=False)
    rows = payments.payment_rows(event_envelope_pb2.EventEnvelope(), event)
    assert [r.entity for r in rows.rows] == [Entity.CUSTOMER, Entity.ACCOUNT]
    assert not rows.in_currency and rows.amount_in_currency == 0


def test_an_erased_customer_is_its_own_entity_and_its_accounts():
    account = uuid.uuid4()
    keys = payments.erased_customer_keys("c", [account])
    assert [(k.entity_type, k.entity_id) for k in keys] == [
        (entity_pb2.ENTITY_TYPE_CUSTOMER, "c"), (entity_pb2.ENTITY_TYPE_ACCOUNT, str(account)),
    ]  # fmt: skip


def test_a_selection_is_a_view_or_known_names():
    assert readings.selection(FRAUD_VIEW, []) == [f for f in FEATURES if FRAUD_VIEW in f.views]
    name = FEATURES[0].name
    assert readings.selection(None, [name]) == [BY_NAME[name]]
    with pytest.raises(NotFound):
        readings.selection("no-such-view", [])
    with pytest.raises(NotFound):
        readings.selection(None, [name, "no_such_feature"])


def test_a_reading_is_stale_when_the_watermark_lags_more_than_allowed():
    feature = next(f for f in FEATURES if f.value_type == ValueType.INT64)
    value = Value(feature, 3, NOW)
    fresh = readings.reading(value, NOW, NOW, None)
    assert fresh.status == feature_value_pb2.FEATURE_STATUS_PRESENT and fresh.value.int64_value == 3
    late = NOW + feature.max_staleness + timedelta(seconds=1)
    assert readings.reading(value, late, NOW, None).status == feature_value_pb2.FEATURE_STATUS_STALE
    missing = readings.historical_reading(Value(feature, None, None), NOW)
    assert missing.status == feature_value_pb2.FEATURE_STATUS_MISSING


def test_time_since_last_reads_as_a_duration():
    feature = next(f for f in FEATURES if f.aggregation == Agg.TIME_SINCE_LAST)
    assert readings.to_value(feature, timedelta(seconds=90)).duration_value.seconds == 90


def test_definitions_page_by_name_and_a_foreign_token_is_refused():
    first, token = readings.definitions_page(0, "", 2, "")
    second, _ = readings.definitions_page(0, "", 2, token)
    names = sorted(f.name for f in FEATURES)
    assert [d.feature_name for d in first + second] == names[:4]
    with pytest.raises(InvalidArgument):
        readings.definitions_page(0, "", 2, "not-a-token!")
