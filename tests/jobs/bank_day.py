"""Two days of a small bank's events as lake rows (the `events.<domain>` layout), seeded, from the real messages.

Accounts in two currencies, ledger postings that leave some accounts overdrawn, payments on every channel to
accounts here (on-us) and at other banks (off-us), some held for review and then released or rejected, and the
fraud model's evaluations under two model versions and the rules alone. Rows are made as the lake sink makes
them: the envelope's fields, payload = MessageToJson(event, preserving_proto_field_name=True, indent=None).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fintech.common.v1 import event_envelope_pb2, money_pb2
from fintech.payments.v1 import events_pb2 as pay
from fintech.payments.v1 import ledger_entry_pb2, payment_pb2
from fintech.risk.v1 import events_pb2 as risk
from fintech.risk.v1 import fraud_assessment_pb2, model_reference_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

DAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CHANNELS = [v.name for v in payment_pb2.PaymentChannel.DESCRIPTOR.values if not v.name.endswith("UNSPECIFIED")]
MODEL_VERSIONS = ("3", "4")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(amount_minor: int, currency: str) -> money_pb2.Money:
    return money_pb2.Money(amount_minor=amount_minor, currency_code=currency)


def _sealed(rng: random.Random) -> event_envelope_pb2.SealedValue:
    return event_envelope_pb2.SealedValue(key_id="k1", nonce=rng.randbytes(12), ciphertext=rng.randbytes(24))


@dataclass
class Lake:
    """Rows per domain, in the order the events happened."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"payments": [], "risk": []})
    clock: datetime = DAY

    def add(self, domain: str, subject: str, event: Message, sequence: int = 1) -> None:
        self.clock += timedelta(minutes=3)
        rows = self.rows[domain]
        rows.append(
            {
                "event_id": str(uuid.uuid4()),
                "event_type": event.DESCRIPTOR.full_name,
                "aggregate_type": event.DESCRIPTOR.GetOptions().Extensions[event_envelope_pb2.event].aggregate_type,
                "subject": subject,
                "sequence": sequence,
                "occur_time": self.clock,
                "source": f"spiffe://cluster.local/ns/fintech/sa/{domain}",
                "correlation_id": "",
                "causation_id": "",
                "kafka_partition": 0,
                "kafka_offset": len(rows),
                "payload": json_format.MessageToJson(event, preserving_proto_field_name=True, indent=None),
            }
        )


@dataclass
class Account:
    account_id: str
    customer_id: str
    currency: str
    balance: int = 0
    sequence: int = 0


def bank_day(seed: int = 20) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    lake = Lake()
    accounts: list[Account] = []
    for _ in range(6):
        customer = _uuid(rng)
        for currency in rng.sample(["EUR", "USD"], rng.randint(1, 2)):
            account = Account(_uuid(rng), customer, currency)
            accounts.append(account)
            opened = pay.AccountOpened(
                account_id=account.account_id,
                customer_id=customer,
                account_type=1,
                currency_code=currency,
                overdraft_limit=_money(500_000, currency),
            )
            opened.open_time.FromDatetime(lake.clock)
            lake.add("payments", account.account_id, opened)
    # The bank's own side of every posting: an internal account no customer owns.
    house = {currency: Account(_uuid(rng), "", currency) for currency in ("EUR", "USD")}

    def post(account: Account, amount: int, payment_id: str = "") -> list[ledger_entry_pb2.LedgerEntry]:
        posting = _uuid(rng)
        entries = []
        for leg, delta in ((account, amount), (house[account.currency], -amount)):
            leg.balance += delta
            leg.sequence += 1
            entry = ledger_entry_pb2.LedgerEntry(
                ledger_entry_id=_uuid(rng),
                ledger_posting_id=posting,
                account_id=leg.account_id,
                entry_sequence=leg.sequence,
                direction=2 if delta > 0 else 1,
                amount=_money(abs(delta), leg.currency),
                balance_after=_money(leg.balance, leg.currency),
                payment_id=payment_id,
            )
            entry.booking_time.FromDatetime(lake.clock)
            entries.append(entry)
        posted = pay.LedgerPosted(ledger_posting_id=posting, payment_id=payment_id, ledger_entries=entries)
        posted.booking_time.FromDatetime(lake.clock)
        lake.add("payments", posting, posted)
        return entries

    for account in accounts:  # deposits
        post(account, rng.randint(1_000, 300_000))
    for number in range(48):
        if number == 24:
            lake.clock = max(lake.clock, DAY + timedelta(days=1))  # the second day
        debtor = rng.choice(accounts)
        payment_id = _uuid(rng)
        amount = rng.randint(100, 250_000)
        initiated = pay.PaymentInitiated(
            payment_id=payment_id,
            idempotency_key=f"key-{payment_id}",
            customer_id=debtor.customer_id,
            initiated_by=debtor.customer_id,
            debtor_account_id=debtor.account_id,
            amount=_money(amount, debtor.currency),
            channel=payment_pb2.PaymentChannel.Value(rng.choice(CHANNELS)),
        )
        if rng.random() < 0.5:
            creditor = rng.choice(
                [a for a in accounts if a.currency == debtor.currency and a is not debtor] or [debtor]
            )
            initiated.creditor_account_id = creditor.account_id
        else:
            initiated.creditor_external_account.CopyFrom(_sealed(rng))
            initiated.creditor_bic = "DEUTDEFF"
        initiated.create_time.FromDatetime(lake.clock)
        lake.add("payments", payment_id, initiated)
        unavailable = rng.random() < 0.1
        decision = rng.choices(["APPROVE", "REVIEW", "DECLINE"], weights=[6, 3, 1])[0]
        evaluated = risk.FraudEvaluated(
            fraud_assessment_id=_uuid(rng),
            payment_id=payment_id,
            customer_id=debtor.customer_id,
            fraud_score=round(rng.random(), 4),
            decision=fraud_assessment_pb2.FraudDecision.Value(f"FRAUD_DECISION_{decision}"),
            model_unavailable=unavailable,
            rule_set_version="r1",
        )
        if not unavailable:
            evaluated.model.CopyFrom(
                model_reference_pb2.ModelReference(model_name="fraud_model", model_version=rng.choice(MODEL_VERSIONS))
            )
        evaluated.evaluate_time.FromDatetime(lake.clock)
        lake.add("risk", evaluated.fraud_assessment_id, evaluated)
        sequence = 2
        if decision == "DECLINE":
            rejected = pay.PaymentRejected(payment_id=payment_id, rejection_reason=1)
            rejected.reject_time.FromDatetime(lake.clock)
            lake.add("payments", payment_id, rejected, sequence)
            continue
        if decision == "REVIEW":
            held = pay.PaymentHeld(payment_id=payment_id, hold_reason=1)
            held.hold_time.FromDatetime(lake.clock)
            lake.add("payments", payment_id, held, sequence)
            sequence += 1
            if rng.random() < 0.4:
                rejected = pay.PaymentRejected(payment_id=payment_id, rejection_reason=3, reviewed_by="officer-1")
                rejected.reject_time.FromDatetime(lake.clock)
                lake.add("payments", payment_id, rejected, sequence)
                continue
            released = pay.PaymentReleased(payment_id=payment_id, reviewed_by="officer-1")
            released.release_time.FromDatetime(lake.clock)
            lake.add("payments", payment_id, released, sequence)
            sequence += 1
        if rng.random() < 0.1:
            continue  # still waiting for execution: initiated, never executed
        entries = post(debtor, -amount, payment_id)
        executed = pay.PaymentExecuted(payment_id=payment_id, ledger_entries=entries)
        executed.ledger_posting_id = entries[0].ledger_posting_id
        executed.execute_time.FromDatetime(lake.clock)
        lake.add("payments", payment_id, executed, sequence)
    return lake.rows
