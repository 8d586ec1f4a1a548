"""Payments over the real mesh: PostgreSQL, Kafka, the customer service (KYC) and risk (screening)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from fintech.common.v1.event_envelope_pb2 import EventEnvelope
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import position_keeping_service_pb2 as pk

from services.payments.adapters.db import projection
from services.runtime.config import Settings
from tests.customer.support import Api as CustomerApi
from tests.customer.support import error_details, new_customer, reason, register
from tests.payments.api import OFFICER, TELLER, Bank, claims, payment_request, query, release_if_held
from tests.payments.support import open_accounts, payments_database
from tests.runtime.events_support import read_topic

# Risk needs the feature store for its velocity rules (else it asks for review); the model may be absent.
pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments")
S = p.PaymentState


@pytest.fixture(scope="module")
def bank(settings: Settings, mesh) -> Bank:
    mesh.up("postgres", "kafka", "customer", "features", "risk", "payments")
    return Bank(settings)


@pytest.fixture
def world(bank: Bank) -> dict:
    """A funded payer (alice, new per test: risk's velocity rules count per customer) and a payee (bob)."""
    alice, alice_account = bank.customer()
    bob, bob_account = bank.customer(amount=1)
    return {"api": bank.api, "bank": bank, "alice": alice, "bob": bob, "a": alice_account, "b": bob_account}


def screening_answers_again(api, world, patience: float = 60.0) -> None:
    """After a burst: payments' breaker to risk may have opened (screening timed out under the load, so
    payments were held, as designed); later tests need screening back, so wait until a payment is screened."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if not api.pay(world["a"], world["b"], 1).screening_outcome.screening_skipped:
                return
        except grpc.RpcError as error:
            if reason(error) == "PAYMENT_DECLINED":  # risk answered (velocity): screening is back
                return
        time.sleep(1)
    pytest.fail("screening did not come back after the burst")


def fails(call) -> grpc.RpcError:
    """The error a call ends with; the test fails with what it returned if it succeeds."""
    try:
        result = call()
    except grpc.RpcError as error:
        return error
    pytest.fail(f"expected an error, got {result}")


def ledger_sum(settings: Settings) -> int:
    return query(settings, "SELECT coalesce(sum(balance_minor), 0) FROM accounts")[0][0]


def test_a_payment_executes_and_books_both_sides(world, settings):
    api = world["api"]
    before = {key: api.balance(world[key]).account.ledger_balance.amount_minor for key in ("a", "b")}
    payment = api.pay(world["a"], world["b"], 1_250, remittance_information="Rent share")
    assert payment.state == S.PAYMENT_STATE_EXECUTED and payment.ledger_posting_id, (
        payment.hold_reason,
        str(payment.screening_outcome),
    )
    assert payment.remittance_information == "Rent share" and payment.version == 4
    assert payment.screening_outcome.fraud_decision == p.SCREENING_DECISION_APPROVE
    after = {key: api.balance(world[key]).account for key in ("a", "b")}
    assert after["a"].ledger_balance.amount_minor == before["a"] - 1_250
    assert after["b"].ledger_balance.amount_minor == before["b"] + 1_250
    assert after["a"].available_balance == after["a"].ledger_balance  # no reservation left
    entries = api.call(api.accounts.ListLedgerEntries, pk.ListLedgerEntriesRequest(account_id=world["b"]))
    assert [e.payment_id for e in entries.ledger_entries][-1] == payment.payment_id
    # No personal data in clear in the event store.
    blobs = query(settings, "SELECT envelope FROM payment_events WHERE payment_id = :id", id=payment.payment_id)
    assert len(blobs) == 4 and all(b"Rent share" not in bytes(row[0]) for row in blobs)


def test_idempotency_replays_the_stored_outcome_and_refuses_reuse(world, settings):
    api, key = world["api"], f"order-{uuid.uuid4()}"
    first = api.call(api.payments.InitiatePayment, payment_request(world["a"], world["b"], 700, key))
    again = api.call(api.payments.InitiatePayment, payment_request(world["a"], world["b"], 700, key))
    assert again == first  # the stored response, byte for byte
    assert query(settings, "SELECT count(*) FROM payment_history WHERE payment_id = :id",
                 id=first.payment.payment_id)[0][0] == 1  # fmt: skip
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.payments.InitiatePayment, payment_request(world["a"], world["b"], 701, key))
    assert (
        caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(caught.value) == "IDEMPOTENCY_KEY_REUSED"
    )
    # An error outcome is stored and replayed too.
    bad_key = f"order-{uuid.uuid4()}"
    for _ in range(2):
        with pytest.raises(grpc.RpcError) as caught:
            api.call(api.payments.InitiatePayment, payment_request(world["a"], world["a"], 10, bad_key))
        assert reason(caught.value) == "SAME_ACCOUNT"
    # The key is scoped to the caller: another principal's same key is a new payment.
    other = api.call(api.payments.InitiatePayment, payment_request(world["a"], world["b"], 700, key),
                     claims("teller-8", "teller"))  # fmt: skip
    assert other.payment.payment_id != first.payment.payment_id


def test_concurrent_calls_with_one_key_make_one_payment(world, settings):
    api, key = world["api"], f"order-{uuid.uuid4()}"
    before = api.balance(world["b"]).account.ledger_balance.amount_minor
    request = payment_request(world["a"], world["b"], 900, key)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: api.call(api.payments.InitiatePayment, request), range(10)))
    assert len({r.payment.payment_id for r in results}) == 1
    assert api.balance(world["b"]).account.ledger_balance.amount_minor == before + 900  # booked once
    rows = query(settings, "SELECT resource_id FROM idempotency_keys WHERE idempotency_key = :k", k=key)
    assert [str(r[0]) for r in rows] == [results[0].payment.payment_id]


def test_validation_errors(world):
    api = world["api"]
    cases = [
        (payment_request(world["a"], world["b"], 0), "FIELD_VIOLATION"),
        (payment_request(world["a"], str(uuid.uuid4()), 10), "RESOURCE_NOT_FOUND"),
        (payment_request(world["a"], world["b"], 10_000_000), "INSUFFICIENT_FUNDS"),
    ]
    mismatch = payment_request(world["a"], world["b"], 10)
    mismatch.amount.currency_code = "USD"
    cases.append((mismatch, "CURRENCY_MISMATCH"))
    for request, expected in cases:
        with pytest.raises(grpc.RpcError) as caught:
            api.call(api.payments.InitiatePayment, request)
        assert reason(caught.value) == expected, request
    # A customer pays only from their own account.
    with pytest.raises(grpc.RpcError) as caught:
        api.pay(world["a"], world["b"], 10, claims=claims(world["bob"], "customer", customer_id=world["bob"]))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_an_unverified_customer_cannot_open_accounts_or_pay(world, settings):
    api = world["api"]
    pending = register(CustomerApi(settings), new_customer()).customer_id  # registered, no KYC check yet
    with pytest.raises(grpc.RpcError) as caught:
        api.open_account(pending)
    assert reason(caught.value) == "CUSTOMER_NOT_VERIFIED"

    # An account of theirs all the same (from before the rule, say; the API opens none, so the database
    # does), funded: no payment from it, by a teller or by themselves, and nothing booked or reserved.
    account = _account_in_database(settings, pending)
    world["bank"].fund(account, 10_000)
    before = api.balance(account).account
    own = claims(pending, "customer", customer_id=pending)
    for who in (TELLER, own):
        assert reason(fails(lambda who=who: api.pay(account, world["b"], 1_000, claims=who))) == "CUSTOMER_NOT_VERIFIED"
    after = api.balance(account).account
    assert (after.ledger_balance, after.available_balance) == (before.ledger_balance, before.available_balance)
    assert query(settings, "SELECT count(*) FROM ledger_entries WHERE account_id = :id", id=account)[0][0] == 1
    assert not api.call(api.payments.ListPayments, isvc.ListPaymentsRequest(account_id=account)).payments


def _account_in_database(settings: Settings, customer_id: str) -> str:
    async def run() -> str:
        database = await payments_database(settings)
        try:
            [account] = await open_accounts(database, 1, customer_id=customer_id)
        finally:
            await database.dispose()
        return str(account)

    return asyncio.run(run())


def test_fifty_concurrent_payments_never_overdraw_and_conserve_money(world, settings):
    api, bank = world["api"], world["bank"]
    # Seven payments' worth (with the overdraft): fewer than risk's velocity rules count (8 a minute, 10 an
    # hour), so none is declined for the burst itself and exactly as many as the balance allows execute.
    _, payer = bank.customer(amount=9_000, overdraft=2_000)
    payees = [api.open_account(world["bob"]).account_id for _ in range(5)]
    total_before = ledger_sum(settings)

    def pay(index: int) -> tuple[str, p.Payment | None]:
        key, deadline = str(uuid.uuid4()), time.monotonic() + 300
        while True:
            try:
                payment = api.pay(payer, payees[index % 5], 1_500, key=key)
                return payment.state, payment
            except grpc.RpcError as error:
                info = error_details(error)[0]
                # OVERLOADED: refused by admission control (mesh.toml's InitiatePayment limit) before anything
                # was done; the client retries with the same key after the delay it was given.
                if info.reason != "OVERLOADED" or time.monotonic() > deadline:
                    return info.reason, None
                time.sleep(int(info.metadata["retry_after_ms"]) / 1000)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(pay, range(50)))
    outcomes = [outcome for outcome, _ in results]
    print("outcomes", Counter(outcomes))
    assert set(outcomes) <= {S.PAYMENT_STATE_EXECUTED, S.PAYMENT_STATE_HELD_FOR_REVIEW, "INSUFFICIENT_FUNDS",
                             "PAYMENT_DECLINED"}  # fmt: skip
    # Held ones (screening timed out under the load, or risk asked for review) hold their reservation:
    # a reviewer releases them, so every payment the balance took ends executed.
    for outcome, payment in results:
        if outcome == S.PAYMENT_STATE_HELD_FOR_REVIEW:
            assert release_if_held(api, payment).state == S.PAYMENT_STATE_EXECUTED
    executed = outcomes.count(S.PAYMENT_STATE_EXECUTED) + outcomes.count(S.PAYMENT_STATE_HELD_FOR_REVIEW)
    # Never more than the balance allows, and never fewer: funds were refused only once the balance was
    # spent (bar reservations released meanwhile by payments declined, counted out).
    allowed = (9_000 + 2_000) // 1_500
    assert allowed - outcomes.count("PAYMENT_DECLINED") <= executed <= allowed
    account = api.balance(payer).account
    assert account.ledger_balance.amount_minor == 9_000 - executed * 1_500 >= -2_000
    assert account.available_balance == account.ledger_balance  # no reservation left behind
    assert ledger_sum(settings) == total_before == 0
    rows = query(settings, """SELECT a.balance_minor, coalesce(sum(CASE WHEN e.direction = 2 THEN e.amount_minor
                                ELSE -e.amount_minor END), 0) FROM accounts a LEFT JOIN ledger_entries e
                                ON e.account_id = a.account_id GROUP BY a.account_id, a.balance_minor""")  # fmt: skip
    assert all(cached == truth for cached, truth in rows)
    screening_answers_again(api, world)


def test_declined_and_held_payments_post_nothing_and_a_reviewer_decides(world, settings):
    api = world["api"]
    before = api.balance(world["a"]).account
    embargoed = p.ExternalAccount(iban="IR062960000000100324200001", bic="MELIIRTHXXX", holder_name="Someone")
    info = error_details(fails(lambda: api.pay(world["a"], embargoed, 2_000)))[0]
    assert info.reason == "PAYMENT_DECLINED" and "HIGH_RISK_COUNTRY" in info.metadata["reason_codes"]
    declined = api.call(
        api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=info.metadata["payment_id"])
    )
    assert declined.payment.state == S.PAYMENT_STATE_REJECTED
    assert declined.payment.rejection_reason == p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED

    high_risk = p.ExternalAccount(iban="SY021234567890123456789012", bic="CBSYSYDAXXX", holder_name="Trader")
    held = api.pay(world["a"], high_risk, 3_000)
    assert held.state == S.PAYMENT_STATE_HELD_FOR_REVIEW and held.hold_reason == p.HOLD_REASON_COMPLIANCE_ALERT
    account = api.balance(world["a"]).account
    assert account.ledger_balance == before.ledger_balance  # nothing booked
    assert account.available_balance.amount_minor == before.available_balance.amount_minor - 3_000  # reserved
    for payment_id in (held.payment_id, info.metadata["payment_id"]):
        assert not query(settings, "SELECT 1 FROM ledger_entries WHERE payment_id = :id", id=payment_id)

    control = isvc.ControlPaymentRequest(payment_id=held.payment_id, decision=p.REVIEW_DECISION_REJECT, note="No.")
    with pytest.raises(grpc.RpcError) as caught:  # a teller is no reviewer
        api.call(api.payments.ControlPayment, control)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    rejected = api.call(api.payments.ControlPayment, control, OFFICER).payment
    assert rejected.state == S.PAYMENT_STATE_REJECTED and rejected.review.note == "No."
    assert api.call(api.payments.ControlPayment, control, OFFICER).payment == rejected  # repeated: unchanged
    assert api.balance(world["a"]).account.available_balance == before.available_balance

    held = api.pay(world["a"], high_risk, 3_000)
    release = isvc.ControlPaymentRequest(payment_id=held.payment_id, decision=p.REVIEW_DECISION_RELEASE, note="OK")
    released = api.call(api.payments.ControlPayment, release, OFFICER).payment
    assert released.state == S.PAYMENT_STATE_EXECUTED and released.review.reviewed_by == "officer-7"
    assert api.balance(world["a"]).account.ledger_balance.amount_minor == before.ledger_balance.amount_minor - 3_000


def test_four_eyes_a_reviewer_never_decides_on_a_payment_they_initiated(world):
    api = world["api"]
    both = claims("teller-and-officer", "teller", "risk_officer")  # one person holding both duties
    high_risk = p.ExternalAccount(iban="SY021234567890123456789012", bic="CBSYSYDAXXX", holder_name="Trader")
    held = api.pay(world["a"], high_risk, 2_000, claims=both)
    assert held.state == S.PAYMENT_STATE_HELD_FOR_REVIEW
    release = isvc.ControlPaymentRequest(payment_id=held.payment_id, decision=p.REVIEW_DECISION_RELEASE, note="OK")
    error = fails(lambda: api.call(api.payments.ControlPayment, release, both))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and "four eyes" in error.details()
    assert api.call(api.payments.ControlPayment, release, OFFICER).payment.state == S.PAYMENT_STATE_EXECUTED


def test_a_customer_reaches_only_their_own_payments_and_accounts(world):
    """Another customer's payment or account, and an unknown one, answer alike: PERMISSION_DENIED (AIP-211)."""
    api = world["api"]
    payment = api.pay(world["a"], world["b"], 1_500)
    alice = claims(world["alice"], "customer", customer_id=world["alice"])
    stranger = claims("stranger", "customer", customer_id=str(uuid.uuid4()))
    unknown_payment, unknown_account = str(uuid.uuid4()), str(uuid.uuid4())
    for who, payment_id, account_id in ((stranger, payment.payment_id, world["a"]),
                                        (alice, unknown_payment, unknown_account)):  # fmt: skip
        refused = [
            (api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=payment_id)),
            (api.payments.CancelPayment, isvc.CancelPaymentRequest(payment_id=payment_id)),
            (api.accounts.RetrieveAccount, pk.RetrieveAccountRequest(account_id=account_id)),
            (api.accounts.ListLedgerEntries, pk.ListLedgerEntriesRequest(account_id=account_id)),
            (api.payments.ListPayments, isvc.ListPaymentsRequest(account_id=account_id)),
            (api.accounts.ControlAccount, pk.ControlAccountRequest(
                account_id=account_id, action=pk.ACCOUNT_CONTROL_ACTION_FREEZE,
                reason=a.ACCOUNT_STATUS_REASON_SUSPECTED_FRAUD)),
        ]  # fmt: skip
        for method, request in refused:
            error = fails(lambda method=method, request=request, who=who: api.call(method, request, who))
            assert error.code() == grpc.StatusCode.PERMISSION_DENIED, (method, error.details())
    # Alice herself reads her payment (and the payee Bob his), and the cancel rule is the state's, not access.
    bob = claims(world["bob"], "customer", customer_id=world["bob"])
    for who in (alice, bob):
        read = api.call(api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=payment.payment_id), who)
        assert read.payment.payment_id == payment.payment_id
    assert api.call(api.accounts.RetrieveAccount, pk.RetrieveAccountRequest(account_id=world["a"]), alice).account


def test_cancel_per_contract(world):
    api = world["api"]
    high_risk = p.ExternalAccount(iban="YE021234567890123456789012", bic="CBYEYESAXXX", holder_name="Trader")
    held = api.pay(world["a"], high_risk, 1_000)
    assert held.state == S.PAYMENT_STATE_HELD_FOR_REVIEW
    stale = isvc.CancelPaymentRequest(payment_id=held.payment_id, expected_version=1)
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.payments.CancelPayment, stale)
    assert caught.value.code() == grpc.StatusCode.ABORTED and reason(caught.value) == "CONCURRENT_MODIFICATION"
    cancel = isvc.CancelPaymentRequest(
        payment_id=held.payment_id, reason="Changed my mind", expected_version=held.version
    )
    own = claims(world["alice"], "customer", customer_id=world["alice"])
    cancelled = api.call(api.payments.CancelPayment, cancel, own).payment
    assert cancelled.state == S.PAYMENT_STATE_CANCELLED and cancelled.cancel_reason == "Changed my mind"
    assert api.call(api.payments.CancelPayment, cancel, own).payment == cancelled
    executed = release_if_held(api, api.pay(world["a"], world["b"], 100))  # held when screening timed out
    assert executed.state == S.PAYMENT_STATE_EXECUTED
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.payments.CancelPayment, isvc.CancelPaymentRequest(payment_id=executed.payment_id))
    assert reason(caught.value) == "INVALID_STATE_TRANSITION"


def test_list_payments_per_customer_and_account_with_page_tokens(world):
    api = world["api"]
    own = claims(world["alice"], "customer", customer_id=world["alice"])
    made = {api.pay(world["a"], world["b"], 1_000 + i, claims=own).payment_id for i in range(5)}
    seen, token = [], ""
    while True:
        request = isvc.ListPaymentsRequest(customer_id=world["alice"], page_size=2, page_token=token)
        page = api.call(api.payments.ListPayments, request, own)
        seen += [(x.create_time.ToNanoseconds(), x.payment_id) for x in page.payments]
        token = page.next_page_token
        if not token:
            break
    assert {payment_id for _, payment_id in seen} == made and seen == sorted(seen, reverse=True)
    by_account = api.call(api.payments.ListPayments, isvc.ListPaymentsRequest(account_id=world["b"], page_size=1000))
    assert by_account.payments and all(world["b"] in (x.creditor_account_id, x.debtor_account_id)
                                       for x in by_account.payments)  # fmt: skip
    with pytest.raises(grpc.RpcError) as caught:  # a customer lists only their own
        api.call(api.payments.ListPayments, isvc.ListPaymentsRequest(customer_id=world["bob"]), own)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_replayed_projection_equals_the_live_one(world, settings):
    live = query(settings, "SELECT payment_id, payment, sealed, state, version FROM payment_history ORDER BY 1")
    assert live

    async def replay(**options):
        database = await payments_database(settings)
        try:
            async with database.transaction() as session:
                return await projection.replay(session, **options)
        finally:
            await database.dispose()

    assert asyncio.run(replay(dry_run=True)).mismatched == []
    victim = live[0][0]
    query(settings, "UPDATE payment_history SET state = 0, version = 0 WHERE payment_id = :id", id=victim)
    query(settings, "DELETE FROM payment_history WHERE payment_id = :id", id=live[-1][0])
    report = asyncio.run(replay())
    assert sorted(report.mismatched) == sorted({str(victim), str(live[-1][0])})
    assert report.payments_rebuilt >= len(live)
    rebuilt = query(settings, "SELECT payment_id, payment, sealed, state, version FROM payment_history ORDER BY 1")
    assert rebuilt == live


def test_every_state_change_is_published_once_with_the_payment_id_as_key(world, settings):
    api = world["api"]
    executed = api.pay(world["a"], world["b"], 2_100)
    high_risk = p.ExternalAccount(iban="AF021234567890123456789012", bic="AFIBAFKAXXX", holder_name="Trader")
    held = api.pay(world["a"], high_risk, 2_200)
    cancelled = api.call(api.payments.CancelPayment, isvc.CancelPaymentRequest(payment_id=held.payment_id)).payment
    expected = {executed.payment_id: executed.version, held.payment_id: cancelled.version}
    assert expected[held.payment_id] == 5  # initiated, screening, screened, held, cancelled

    def ours(records) -> list:
        return [r for r in records if r.key and r.key.decode() in expected]

    records = asyncio.run(read_topic(
        "fintech.payments.events.v1", until=lambda rs: len(ours(rs)) >= sum(expected.values())
    ))  # fmt: skip
    seen: dict[str, list[int]] = {payment_id: [] for payment_id in expected}
    for record in ours(records):
        envelope = EventEnvelope.FromString(record.value)
        assert envelope.subject == record.key.decode() and envelope.aggregate_type == "payment"
        seen[envelope.subject].append(envelope.sequence)
    assert {pid: sorted(seqs) for pid, seqs in seen.items()} == {
        pid: list(range(1, version + 1)) for pid, version in expected.items()
    }
    stored = query(settings, "SELECT event_id FROM payment_events WHERE payment_id = :id", id=executed.payment_id)
    published = {EventEnvelope.FromString(r.value).event_id for r in ours(records)}
    assert {str(row[0]) for row in stored} <= published


def test_unreachable_risk_holds_the_payment_for_review(world, mesh):
    api = world["api"]
    before = api.balance(world["a"]).account
    mesh.stop("risk")
    try:
        held = api.pay(world["a"], world["b"], 1_800)
    finally:
        mesh.start("risk")
    assert held.state == S.PAYMENT_STATE_HELD_FOR_REVIEW
    assert held.hold_reason == p.HOLD_REASON_SCREENING_UNAVAILABLE and held.screening_outcome.screening_skipped
    after = api.balance(world["a"]).account
    assert after.ledger_balance == before.ledger_balance
    assert after.available_balance.amount_minor == before.available_balance.amount_minor - 1_800
