"""The models' inputs have ONE definition: training's rows, risk's requests and the committed signatures agree."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import transaction_pb2 as txn

from libs.featurespec.definitions import BY_NAME, FRAUD_VIEW, Entity, view
from libs.featurespec.model_inputs import (
    FRAUD_STORE_INPUTS,
    Payment,
    applicant_features,
    feature_names,
    fraud_inputs,
    store_features,
)
from services.risk.domain.credit import applicant_of
from services.risk.domain.fraud import payment_of
from tests.ml.support import record
from tools.models import train


def _transaction() -> txn.Transaction:
    t = txn.Transaction(payment_id="p", customer_id="c", debtor_account_id="a")
    t.amount.amount_minor, t.amount.currency_code = 4_200, "EUR"
    t.transaction_time.FromDatetime(datetime(2026, 11, 26, 13, 30, tzinfo=UTC))
    return t


def _application() -> credit.CreditApplication:
    application = credit.CreditApplication(term_months=36)
    application.applicant.annual_income.amount_minor = 4_000_000
    application.applicant.existing_debt.amount_minor = 1_000_000
    application.requested_amount.amount_minor = 800_000
    application.applicant.recent_delinquencies = 2
    return application


@pytest.mark.parametrize("model", ["fraud", "credit"])
def test_what_risk_sends_is_what_the_served_model_was_trained_on(model: str):
    """Risk builds its request with the same functions as training; the names and their order are the
    committed model's signature (a renamed, added or reordered input fails here, not as INVALID_ARGUMENT)."""
    if model == "fraud":
        sent = fraud_inputs(payment_of(_transaction(), new_counterparty=True), {})
    else:
        sent = applicant_features(applicant_of(_application()))
    signature = [f["feature_name"] for f in record(model)["input_features"]]
    assert list(sent) == feature_names(model) == signature


def test_training_builds_its_fraud_rows_in_the_signature_order():
    x, y, t, bands = train.fraud_dataset(train.SEED, customers=40)
    assert x.shape == (len(y), len(record("fraud")["input_features"])) and len(t) == len(bands) == len(y)
    columns = feature_names("fraud")
    hours = x[:, columns.index("txn_hour_of_day")]
    assert np.array_equal(hours, (t // 3600 % 24).astype(np.float32))
    assert np.all(x[:, columns.index("customer_payment_count_24h")] >= x[:, columns.index("customer_payment_count_1h")])


def test_the_store_inputs_are_definitions_of_the_view_risk_reads():
    served = {f.name for f in view(FRAUD_VIEW)}
    assert set(FRAUD_STORE_INPUTS) <= served and set(FRAUD_STORE_INPUTS) <= set(BY_NAME)
    by_entity = [f.name for entity in Entity for f in store_features(entity)]
    assert sorted(by_entity) == sorted(FRAUD_STORE_INPUTS)


def test_missing_store_values_get_the_documented_defaults_and_the_zscore_needs_history():
    inputs = fraud_inputs(Payment(0.0, 9_000, new_counterparty=False), {})
    assert inputs["customer_time_since_last_payment"] == -1 and inputs["customer_payment_count_1h"] == 0
    assert inputs["txn_amount_zscore"] == 0 and inputs["txn_amount"] == 9_000
    usual = {"account_payment_amount_mean_30d": 3_000.0, "account_payment_amount_std_30d": 1_000.0}
    assert fraud_inputs(Payment(0.0, 9_000, False), {**usual, "account_payment_count_30d": 4})["txn_amount_zscore"] == 0
    assert fraud_inputs(Payment(0.0, 9_000, False), {**usual, "account_payment_count_30d": 5})["txn_amount_zscore"] == 6
