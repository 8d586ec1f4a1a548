"""The risk service's pure logic: fraud rules and decisions, AML rules, the credit scorecard, screening, the chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import sanctions_screening_pb2 as s
from fintech.risk.v1 import transaction_pb2 as txn

from services.risk import audit, rules, screening
from services.risk.common import model_down
from services.runtime.config import RiskSettings
from services.runtime.errors import DeadlineExceeded, Unavailable

SETTINGS = RiskSettings()
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _ids(hits) -> set[str]:
    return {hit.rule_id for hit in hits}


def test_a_quiet_customer_is_approved():
    features = {"customer_payment_count_1m": 1, "customer_payment_count_1h": 2}
    hits = rules.fraud_rules(features, 2_500, new_counterparty=False, settings=SETTINGS)
    assert hits == [] and rules.fraud_decision(None, hits, SETTINGS) == rules.APPROVE


def test_a_burst_of_small_payments_is_card_testing_and_declined():
    features = {"customer_small_payment_count_10m": 6, "customer_payment_count_1m": 6}
    hits = rules.fraud_rules(features, 100, new_counterparty=False, settings=SETTINGS)
    assert "card_testing.small_burst.10m" in _ids(hits)
    assert rules.fraud_decision(None, hits, SETTINGS) == rules.DECLINE


def test_velocity_amount_and_new_counterparty_ask_for_review():
    assert _ids(rules.fraud_rules({"customer_payment_count_1h": 12}, 100, False, SETTINGS)) == {"velocity.payments.1h"}
    usual = {"account_payment_amount_mean_30d": 5_000.0, "account_payment_amount_std_30d": 1_000.0,
             "account_payment_count_30d": 8}  # fmt: skip
    assert _ids(rules.fraud_rules(usual, 9_000, False, SETTINGS)) == {"amount.unusual.30d"}
    assert rules.fraud_rules(usual, 7_000, False, SETTINGS) == []
    hits = rules.fraud_rules({}, 250_000, new_counterparty=True, settings=SETTINGS)
    assert _ids(hits) == {"counterparty.new.large"} and rules.fraud_decision(None, hits, SETTINGS) == rules.REVIEW


@pytest.mark.parametrize(("score", "decision"), [(0.1, rules.APPROVE), (0.6, rules.REVIEW), (0.9, rules.DECLINE)])
def test_the_score_band_and_the_rules_take_the_strictest(score, decision):
    assert rules.fraud_decision(score, [], SETTINGS) == decision
    burst = rules.fraud_rules({"customer_small_payment_count_10m": 9}, 100, False, SETTINGS)
    assert rules.fraud_decision(score, burst, SETTINGS) == rules.DECLINE


def test_every_fraud_limit_fires_at_its_value_and_not_below():
    """Boundary values: each limit is inclusive (`>=`), so a `>` in its place fails here."""
    decline, review = SETTINGS.fraud_decline_threshold, SETTINGS.fraud_review_threshold
    assert rules.fraud_decision(decline, [], SETTINGS) == rules.DECLINE
    assert rules.fraud_decision(review, [], SETTINGS) == rules.REVIEW
    assert rules.fraud_decision(review - 1e-9, [], SETTINGS) == rules.APPROVE
    assert rules.fraud_decision(decline - 1e-9, [], SETTINGS) == rules.REVIEW

    def fired(features, amount=2_500, new_counterparty=False):
        return _ids(rules.fraud_rules(features, amount, new_counterparty, SETTINGS))

    small = SETTINGS.card_testing_small_count_10m
    assert "card_testing.small_burst.10m" in fired({"customer_small_payment_count_10m": small})
    assert "card_testing.small_burst.10m" not in fired({"customer_small_payment_count_10m": small - 1})
    per_minute, per_hour = SETTINGS.velocity_decline_count_1m, SETTINGS.velocity_review_count_1h
    assert fired({"customer_payment_count_1m": per_minute}) == {"velocity.payments.1m"}
    assert fired({"customer_payment_count_1m": per_minute - 1}) == set()
    assert fired({"customer_payment_count_1h": per_hour}) == {"velocity.payments.1h"}
    assert fired({"customer_payment_count_1h": per_hour - 1}) == set()
    large = SETTINGS.new_counterparty_review_amount_minor
    assert fired({}, large, new_counterparty=True) == {"counterparty.new.large"}
    assert fired({}, large - 1, new_counterparty=True) == set()


def test_large_cash_is_reported_from_the_threshold_on():
    threshold = SETTINGS.aml_large_cash_minor
    cash, incoming = txn.TRANSACTION_TYPE_CASH_DEPOSIT, txn.TRANSACTION_DIRECTION_INCOMING
    at = rules.aml_rules(threshold, cash, incoming, NOW, [], [], SETTINGS)
    assert [h.rule_code for h in at] == [aml.AML_RULE_CODE_LARGE_CASH]
    below = rules.aml_rules(threshold - 1, cash, incoming, NOW, [], [], SETTINGS)
    assert aml.AML_RULE_CODE_LARGE_CASH not in [h.rule_code for h in below]


def _past(
    amount: int, hours_ago: float, kind=txn.TRANSACTION_TYPE_CASH_DEPOSIT, direction=txn.TRANSACTION_DIRECTION_INCOMING
):
    return rules.PastTransaction(f"p{amount}{hours_ago}", amount, kind, direction, NOW - timedelta(hours=hours_ago))


def test_aml_large_cash_structuring_rapid_movement_and_countries():
    cash, incoming, outgoing = (
        txn.TRANSACTION_TYPE_CASH_DEPOSIT,
        txn.TRANSACTION_DIRECTION_INCOMING,
        txn.TRANSACTION_DIRECTION_OUTGOING,
    )

    def check(amount, kind, direction, countries=(), history=()):
        return rules.aml_rules(amount, kind, direction, NOW, list(countries), list(history), SETTINGS)

    large = check(1_200_000, cash, incoming)
    assert [h.rule_code for h in large] == [aml.AML_RULE_CODE_LARGE_CASH]
    structured = check(950_000, cash, incoming, history=[_past(960_000, 2), _past(940_000, 5), _past(950_000, 30)])
    assert [h.rule_code for h in structured] == [aml.AML_RULE_CODE_STRUCTURING]
    assert len(structured[0].related_payment_ids) == 2  # the deposit 30 hours ago is outside the window
    assert check(950_000, cash, incoming, history=[_past(960_000, 2)]) == []
    transfer = txn.TRANSACTION_TYPE_CREDIT_TRANSFER
    moved = check(1_900_000, transfer, outgoing, history=[_past(2_000_000, 3, transfer, incoming)])
    assert [h.rule_code for h in moved] == [aml.AML_RULE_CODE_RAPID_MOVEMENT]
    blocked = check(10_000, transfer, outgoing, countries=["KP"])
    assert rules.aml_decision(blocked) == aml.AML_DECISION_BLOCK
    assert rules.aml_decision(check(10_000, transfer, outgoing, countries=["SY", ""])) == aml.AML_DECISION_REVIEW
    assert rules.aml_decision(check(10_000, transfer, outgoing, countries=["DE"])) == aml.AML_DECISION_CLEAR


def test_the_credit_scorecard_grades_and_policy():
    assert rules.credit_score(1 / 51) == 600  # odds 50:1
    assert rules.credit_score(1 / 101) in (619, 620, 621)  # doubling the odds adds 20 points
    assert rules.credit_score(0.999) == 300 and rules.credit_score(1e-9) > 850
    assert rules.credit_grade(0.005) == credit.CREDIT_GRADE_A and rules.credit_grade(0.5) == credit.CREDIT_GRADE_G
    sound = rules.CreditInputs(
        6_000_000, 0, 50_000, 1_000_000, 36, credit.EMPLOYMENT_STATUS_FULL_TIME, 60, 120, 2, 0, 0
    )
    assert rules.credit_policy(sound, credit.CREDIT_GRADE_B) == (credit.CREDIT_DECISION_APPROVE, [])
    stretched = rules.CreditInputs(
        3_000_000, 0, 150_000, 1_000_000, 36, credit.EMPLOYMENT_STATUS_FULL_TIME, 6, 12, 2, 0, 0
    )
    decision, fired = rules.credit_policy(stretched, credit.CREDIT_GRADE_B)
    assert decision == credit.CREDIT_DECISION_DECLINE and fired == ["policy.dti.max"]
    reasons = rules.adverse_reasons(stretched)
    assert reasons[0][0] == credit.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME
    assert sum(share for _, share in reasons) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "name",
    ["Viktor Drăgulescu-Morozov", "MOROZOV, Viktor Dragulescu", "Viktr Dragulesku Morozov", "Soren Ostergard Lindqvist",
     "radomir vukovic"],
)  # fmt: skip
def test_screening_matches_listed_names_with_typos_diacritics_and_reordering(name):
    assert screening.screen([name], None, "", SETTINGS.sanctions_match_threshold)


@pytest.mark.parametrize("name", ["Anna Schmidt", "Maria García López", "Victor Morozan", "Li Wei"])
def test_screening_clears_unlisted_names(name):
    assert screening.screen([name], None, "", SETTINGS.sanctions_match_threshold) == []


def test_an_exact_name_birth_date_and_country_is_a_confirmed_match():
    [match] = screening.screen(["Viktor Dragulescu-Morozov"], date(1968, 3, 14), "MD", 0.85)
    assert match.status == s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH and match.entry.list_entry_id == "FSL-0001"
    [other] = screening.screen(["Viktor Dragulescu Morozov"], date(1990, 1, 1), "MD", 0.85)
    assert other.status == s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH and other.score < 1


def _chain(n: int) -> list[dict]:
    records, previous = [], audit.GENESIS
    for i in range(n):
        record = {name: "" for name in audit.CONTENT}
        record |= {"id": f"r{i}", "position": i, "occur_time": NOW, "details": {"decision": "APPROVE"}}
        record["previous_record_hash"], record["record_hash"] = previous, audit.chain_hash(previous, record)
        previous = record["record_hash"]
        records.append(record)
    return records


def test_the_audit_chain_detects_a_changed_or_removed_record():
    records = _chain(4)
    assert audit.verify_chain(records)[0]
    records[2]["details"] = {"decision": "DECLINE"}
    intact, message = audit.verify_chain(records)
    assert not intact and "r2" in message
    records = _chain(4)
    del records[1]
    intact, message = audit.verify_chain(records)
    assert not intact and "r2" in message


def _rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="from ml")


@pytest.mark.parametrize(
    ("error", "fallback"),
    [
        (_rpc_error(grpc.StatusCode.UNAVAILABLE), True),
        (_rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED), True),
        (_rpc_error(grpc.StatusCode.UNIMPLEMENTED), True),
        (Unavailable("ml is unavailable (circuit open)"), True),
        (DeadlineExceeded("no time left to call ml"), True),
        (_rpc_error(grpc.StatusCode.INVALID_ARGUMENT), False),
        (_rpc_error(grpc.StatusCode.NOT_FOUND), False),
        (_rpc_error(grpc.StatusCode.PERMISSION_DENIED), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_a_model_that_cannot_answer_lets_the_rules_decide_alone(error, fallback):
    assert model_down(error) is fallback


def test_adverse_reasons_from_the_model_add_up_by_reason_and_ignore_what_lowered_the_risk():
    stretched = rules.CreditInputs(5_000_000, 0, 0, 1_000_000, 36, credit.EMPLOYMENT_STATUS_FULL_TIME, 60, 100, 2, 0, 0)
    contributions = {"debt_to_income_ratio": 0.3, "total_debt_minor": 0.1, "recent_delinquencies": 0.6,
                     "annual_income_minor": -0.9, "unknown_input": 5.0}  # fmt: skip
    reasons = rules.adverse_reasons(stretched, contributions)
    assert [code for code, _ in reasons] == [
        credit.ADVERSE_ACTION_REASON_CODE_DELINQUENCIES,
        credit.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME,
    ]
    assert reasons[0][1] == pytest.approx(0.6) and reasons[1][1] == pytest.approx(0.4)
