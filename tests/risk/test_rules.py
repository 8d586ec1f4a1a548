"""The risk service's pure logic: fraud rules and decisions, AML rules, the credit scorecard, screening, the chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import fraud_assessment_pb2 as fraud
from fintech.risk.v1 import sanctions_screening_pb2 as s
from fintech.risk.v1 import transaction_pb2 as txn

from services.risk.adapters.clients import model_down
from services.risk.domain import audit_chain, rules, sanctions
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
    assert sanctions.screen([name], None, "", SETTINGS.sanctions_match_threshold)


@pytest.mark.parametrize("name", ["Anna Schmidt", "Maria García López", "Victor Morozan", "Li Wei"])
def test_screening_clears_unlisted_names(name):
    assert sanctions.screen([name], None, "", SETTINGS.sanctions_match_threshold) == []


def test_an_exact_name_birth_date_and_country_is_a_confirmed_match():
    [match] = sanctions.screen(["Viktor Dragulescu-Morozov"], date(1968, 3, 14), "MD", 0.85)
    assert match.status == s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH and match.entry.list_entry_id == "FSL-0001"
    [other] = sanctions.screen(["Viktor Dragulescu Morozov"], date(1990, 1, 1), "MD", 0.85)
    assert other.status == s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH and other.score < 1


def _chain(n: int) -> list[dict]:
    records, previous = [], audit_chain.GENESIS
    for i in range(n):
        record = {name: "" for name in audit_chain.CONTENT}
        record |= {"id": f"r{i}", "position": i, "occur_time": NOW, "details": {"decision": "APPROVE"}}
        record["previous_record_hash"], record["record_hash"] = previous, audit_chain.chain_hash(previous, record)
        previous = record["record_hash"]
        records.append(record)
    return records


def test_the_audit_chain_detects_a_changed_or_removed_record():
    records = _chain(4)
    assert audit_chain.verify_chain(records)[0]
    records[2]["details"] = {"decision": "DECLINE"}
    intact, message = audit_chain.verify_chain(records)
    assert not intact and "r2" in message
    records = _chain(4)
    del records[1]
    intact, message = audit_chain.verify_chain(records)
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


# -- exact outcomes: what a reviewer reads in the assessment, and each limit at its value ---------------------------

V, U = fraud.FRAUD_REASON_CODE_VELOCITY, fraud.FRAUD_REASON_CODE_AMOUNT_UNUSUAL
N = fraud.FRAUD_REASON_CODE_NEW_COUNTERPARTY
USUAL = {"account_payment_amount_mean_30d": 5_000.0, "account_payment_amount_std_30d": 1_000.0,
         "account_payment_count_30d": 8}  # fmt: skip


@pytest.mark.parametrize(
    ("features", "amount", "new_counterparty", "expected"),
    [
        ({"customer_small_payment_count_10m": 5}, 100, False, [rules.RuleHit(
            "card_testing.small_burst.10m", "A burst of small payments: probing a card or account before fraud",
            rules.DECLINE, V, "5 small payments in the last 10 minutes, at most 4 expected",
            {"small_payment_count_10m": "5"})]),
        # the account's count stands for the customer's when it is higher (a card shared by several people)
        ({"account_small_payment_count_1m": 6}, 100, False, [rules.RuleHit(
            "card_testing.small_burst.10m", "A burst of small payments: probing a card or account before fraud",
            rules.DECLINE, V, "6 small payments in the last 10 minutes, at most 4 expected",
            {"small_payment_count_10m": "6"})]),
        ({"account_payment_count_1m": 8, "customer_payment_count_1m": 2}, 2_500, False, [rules.RuleHit(
            "velocity.payments.1m", "Too many payments within one minute", rules.DECLINE, V,
            "8 payments in the last minute", {"payment_count_1m": "8"})]),
        ({"customer_payment_count_1h": 10}, 2_500, False, [rules.RuleHit(
            "velocity.payments.1h", "Unusually many payments within one hour", rules.REVIEW, V,
            "10 payments in the last hour", {"payment_count_1h": "10"})]),
        # the minute's decline makes the hour's review redundant: one velocity hit, the stricter
        ({"customer_payment_count_1m": 9, "customer_payment_count_1h": 30}, 2_500, False, [rules.RuleHit(
            "velocity.payments.1m", "Too many payments within one minute", rules.DECLINE, V,
            "9 payments in the last minute", {"payment_count_1m": "9"})]),
        (USUAL, 9_000, False, [rules.RuleHit(
            "amount.unusual.30d", "Amount far above the account's usual amounts", rules.REVIEW, U,
            "the amount is 4.0 standard deviations above the usual", {"amount_zscore": "4.00"})]),
        (USUAL, 8_999, False, []),
        ({}, 100_000, True, [rules.RuleHit(
            "counterparty.new.large", "A large payment to a counterparty never paid before", rules.REVIEW, N,
            "first payment to this counterparty, above the review amount", {"amount_minor": "100000"})]),
        ({}, 1_000_000, False, []),
    ],
)  # fmt: skip
def test_each_fraud_rule_reports_what_fired_and_why(features, amount, new_counterparty, expected):
    assert rules.fraud_rules(features, amount, new_counterparty, SETTINGS) == expected


def test_rules_fire_in_a_fixed_order_and_a_missing_feature_counts_as_none():
    everything = USUAL | {"customer_small_payment_count_10m": 5, "customer_payment_count_1m": 8}
    hits = rules.fraud_rules(everything, 100_000, True, SETTINGS)
    assert [hit.rule_id for hit in hits] == [
        "card_testing.small_burst.10m", "velocity.payments.1m", "amount.unusual.30d", "counterparty.new.large"
    ]  # fmt: skip
    # With every limit at 1, a feature that is missing (no history) still fires nothing.
    eager = RiskSettings(velocity_review_count_1h=1, velocity_decline_count_1m=1, card_testing_small_count_10m=1)
    assert rules.fraud_rules({"customer_payment_count_1h": None}, 2_500, False, eager) == []


def test_the_score_bands_apply_only_when_the_model_answered():
    review = rules.RuleHit("r", "", rules.REVIEW, V, "")
    assert rules.fraud_decision(None, [review], SETTINGS) == rules.REVIEW
    assert rules.fraud_decision(0.0, [review], SETTINGS) == rules.REVIEW
    assert rules.fraud_decision(0.99, [review], SETTINGS) == rules.DECLINE
    assert rules.fraud_decision(0.0, [], SETTINGS) == rules.APPROVE


CASH, TRANSFER = txn.TRANSACTION_TYPE_CASH_DEPOSIT, txn.TRANSACTION_TYPE_CREDIT_TRANSFER
IN, OUT = txn.TRANSACTION_DIRECTION_INCOMING, txn.TRANSACTION_DIRECTION_OUTGOING
DAY = timedelta(hours=24)


def _aml(amount, kind=CASH, direction=IN, countries=(), history=(), settings=SETTINGS):
    return rules.aml_rules(amount, kind, direction, NOW, list(countries), list(history), settings)


def test_large_cash_names_the_amount_and_the_threshold():
    assert _aml(1_000_000) == [rules.AmlHit(
        aml.AML_RULE_CODE_LARGE_CASH, "large_cash.single",
        "cash transaction of 10,000.00 at or above the reporting threshold of 10,000.00",
        aml.AML_ALERT_SEVERITY_MEDIUM, aml.AML_DECISION_REVIEW, 1_000_000, 1_000_000,
    )]  # fmt: skip
    assert _aml(2_000_000, kind=txn.TRANSACTION_TYPE_CASH_WITHDRAWAL)[0].rule_id == "large_cash.single"
    assert _aml(2_000_000, kind=TRANSFER) == []  # not cash


def test_structuring_counts_cash_just_below_the_threshold_within_the_window():
    history = [_past(900_000, 24), _past(999_999, 0)]
    assert _aml(900_000, history=history) == [rules.AmlHit(
        aml.AML_RULE_CODE_STRUCTURING, "structuring.cash.24h",
        "3 cash transactions just below the threshold of 10,000.00 within 1 day, 0:00:00, 27,999.99 in total",
        aml.AML_ALERT_SEVERITY_HIGH, aml.AML_DECISION_REVIEW, 1_000_000, 2_799_999, DAY,
        ("p90000024", "p9999990"),
    )]  # fmt: skip
    # Each bound, one step outside: below 90 %, at the threshold, older than the window, in the future, not cash.
    for outside in (_past(899_999, 1), _past(1_000_000, 1), _past(900_000, 24.001), _past(900_000, -1),
                    _past(900_000, 1, kind=TRANSFER)):  # fmt: skip
        assert _aml(900_000, history=[_past(950_000, 2), outside]) == [], outside
    assert _aml(899_999, history=history) == []  # the payment itself below 90 %
    assert _aml(900_000, kind=TRANSFER, history=history) == []  # the payment itself not cash
    fewer = RiskSettings(aml_structuring_min_count=2)
    assert len(_aml(900_000, history=[_past(950_000, 2)], settings=fewer)) == 1


def test_rapid_movement_is_most_of_what_came_in_leaving_within_the_window():
    came_in = [_past(500_000, 3, TRANSFER, IN), _past(700_000, 30, TRANSFER, IN), _past(900_000, 1, TRANSFER, OUT)]
    assert _aml(400_000, TRANSFER, OUT, history=came_in) == [rules.AmlHit(
        aml.AML_RULE_CODE_RAPID_MOVEMENT, "rapid_movement.pass_through.24h",
        "4,000.00 leaves the account within 1 day, 0:00:00 of receiving 5,000.00",
        aml.AML_ALERT_SEVERITY_MEDIUM, aml.AML_DECISION_REVIEW, None, 900_000, DAY, ("p5000003",),
    )]  # fmt: skip
    assert _aml(399_999, TRANSFER, OUT, history=came_in) == []  # less than 80 % of it
    assert _aml(400_000, TRANSFER, IN, history=came_in) == []  # money coming in moves nothing out
    little = [_past(499_999, 3, TRANSFER, IN)]  # less than half the reporting threshold received
    assert _aml(499_999, TRANSFER, OUT, history=little) == []


def test_countries_once_each_blocked_before_high_risk():
    hits = _aml(10_000, TRANSFER, OUT, countries=["SY", "KP", "SY", "", "DE"])
    assert hits == [
        rules.AmlHit(aml.AML_RULE_CODE_HIGH_RISK_COUNTRY, "country.high_risk",
                     "payment involves high-risk jurisdiction SY", aml.AML_ALERT_SEVERITY_MEDIUM,
                     aml.AML_DECISION_REVIEW, country_code="SY"),
        rules.AmlHit(aml.AML_RULE_CODE_HIGH_RISK_COUNTRY, "country.embargoed",
                     "payment involves KP, under a call for action (countermeasures)", aml.AML_ALERT_SEVERITY_HIGH,
                     aml.AML_DECISION_BLOCK, country_code="KP"),
    ]  # fmt: skip
    assert rules.aml_decision(hits) == aml.AML_DECISION_BLOCK and rules.aml_decision([]) == aml.AML_DECISION_CLEAR


@pytest.mark.parametrize(
    ("pd", "score", "grade"),
    [
        (0.0, 886, credit.CREDIT_GRADE_A), (1 / 51, 600, credit.CREDIT_GRADE_B), (0.0099, 620, credit.CREDIT_GRADE_A),
        (0.01, 620, credit.CREDIT_GRADE_B), (0.03, 587, credit.CREDIT_GRADE_C), (0.06, 567, credit.CREDIT_GRADE_D),
        (0.10, 551, credit.CREDIT_GRADE_E), (0.18, 531, credit.CREDIT_GRADE_F), (0.30, 512, credit.CREDIT_GRADE_G),
        (1.0, 300, credit.CREDIT_GRADE_G),
    ],
)  # fmt: skip
def test_the_scorecard_and_the_grade_bands_at_their_bounds(pd, score, grade):
    """A grade's bound belongs to the next grade; the score is clamped to 300..900 (a PD of 0 is 1e-6)."""
    assert rules.credit_score(pd) == score and rules.credit_grade(pd) == grade


def _applicant(**changes):
    sound = dict(annual_income=6_000_000, existing_debt=0, monthly_debt_payments=50_000, requested_amount=1_000_000,
                 term_months=36, employment_status=credit.EMPLOYMENT_STATUS_FULL_TIME, employment_months=60,
                 credit_history_months=120, open_credit_lines=2, past_defaults=0, recent_delinquencies=0)  # fmt: skip
    return rules.CreditInputs(**(sound | changes))


@pytest.mark.parametrize(
    ("changes", "fired"),
    [
        ({"monthly_debt_payments": 250_000}, []),  # debt-to-income exactly 0.5
        ({"monthly_debt_payments": 250_001}, ["policy.dti.max"]),
        ({"past_defaults": 1}, []),
        ({"past_defaults": 2}, ["policy.defaults.max"]),
        ({"requested_amount": 30_000_000}, []),  # loan-to-income exactly 5
        ({"requested_amount": 30_000_001}, ["policy.lti.max"]),
        ({"annual_income": 0}, ["policy.dti.max", "policy.lti.max"]),  # no income: both ratios are off the scale
        ({"annual_income": 0, "past_defaults": 3}, ["policy.dti.max", "policy.defaults.max", "policy.lti.max"]),
    ],
)
def test_each_knock_out_rule_at_its_limit_declines_whatever_the_grade(changes, fired):
    decision, rules_fired = rules.credit_policy(_applicant(**changes), credit.CREDIT_GRADE_A)
    assert rules_fired == fired
    assert decision == (credit.CREDIT_DECISION_DECLINE if fired else credit.CREDIT_DECISION_APPROVE)


@pytest.mark.parametrize(
    ("grade", "decision"),
    [(credit.CREDIT_GRADE_C, credit.CREDIT_DECISION_APPROVE), (credit.CREDIT_GRADE_D, credit.CREDIT_DECISION_REFER),
     (credit.CREDIT_GRADE_E, credit.CREDIT_DECISION_REFER), (credit.CREDIT_GRADE_F, credit.CREDIT_DECISION_DECLINE)],
)  # fmt: skip
def test_the_grade_decides_when_no_knock_out_rule_fires(grade, decision):
    assert rules.credit_policy(_applicant(), grade) == (decision, [])


def test_without_model_contributions_each_weak_input_weighs_by_the_policys_view():
    A = credit.AdverseActionReasonCode
    weak = _applicant(
        annual_income=1_200_000, monthly_debt_payments=50_000, requested_amount=2_400_000, credit_history_months=12,
        recent_delinquencies=1, past_defaults=1, open_credit_lines=13, term_months=300, employment_months=0,
        employment_status=credit.EMPLOYMENT_STATUS_UNEMPLOYED,
    )  # fmt: skip
    weights = {
        A.ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS: 0.5,
        A.ADVERSE_ACTION_REASON_CODE_TERM_TOO_LONG: 0.5,
        A.ADVERSE_ACTION_REASON_CODE_EMPLOYMENT_STATUS: 0.4,
        A.ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH: 0.25,  # loan-to-income 2
        A.ADVERSE_ACTION_REASON_CODE_DELINQUENCIES: 0.3,
        A.ADVERSE_ACTION_REASON_CODE_SHORT_CREDIT_HISTORY: 0.25,
        A.ADVERSE_ACTION_REASON_CODE_SHORT_EMPLOYMENT: 0.25,
        A.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME: 0.15,
        A.ADVERSE_ACTION_REASON_CODE_TOO_MANY_CREDIT_LINES: 0.5,
    }
    total = sum(weights.values())
    reasons = rules.adverse_reasons(weak)
    assert dict(reasons) == pytest.approx({code: weight / total for code, weight in weights.items()})
    shares = [share for _, share in reasons]
    assert shares == sorted(shares, reverse=True)
    assert rules.adverse_reasons(_applicant(monthly_debt_payments=0)) == []  # nothing weak: no reason
    assert rules.adverse_reasons(_applicant(monthly_debt_payments=0), {"past_defaults": -0.2}) == []


def test_one_weak_input_is_the_whole_reason_and_inputs_that_are_fine_are_no_reason():
    assert rules.adverse_reasons(_applicant(monthly_debt_payments=0, past_defaults=1)) == [
        (credit.ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS, 1.0)
    ]


def test_a_payment_at_the_threshold_is_large_cash_not_structuring():
    history = [_past(950_000, 2), _past(960_000, 3)]
    assert [hit.rule_id for hit in _aml(1_000_000, history=history)] == ["large_cash.single"]


def test_rapid_movement_needs_half_the_threshold_rounded_down_in_minor_units():
    odd = RiskSettings(aml_large_cash_minor=999_999)
    came_in = [_past(499_999, 3, TRANSFER, IN)]
    assert [hit.rule_id for hit in _aml(499_999, TRANSFER, OUT, history=came_in, settings=odd)] == [
        "rapid_movement.pass_through.24h"
    ]
