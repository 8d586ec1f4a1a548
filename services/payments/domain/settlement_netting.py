"""Netting, pure: a batch's payments and the participants' credits become positions per participant.

The bank owes each participant the sum of the batch's payments to it (gross debit) and is owed the
credits booked to that participant's clearing account in the window (gross credit); the position's
net is credit minus debit (negative: the bank pays). The bank's single net settlement amount is the
sum of the nets. `check()` is the control that gates settlement: totals equal the sums of the
positions, the net equals credits minus debits, and the payments' gross debits equal what the ledger
booked to the clearing accounts for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BatchPayment:
    payment_id: str
    participant_bic: str
    amount_minor: int


@dataclass(frozen=True)
class Position:
    participant_bic: str
    payment_count: int
    gross_debit_minor: int
    gross_credit_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_credit_minor - self.gross_debit_minor


@dataclass(frozen=True)
class Netting:
    positions: tuple[Position, ...]  # ordered by BIC
    payment_count: int
    gross_debit_minor: int
    gross_credit_minor: int
    net_minor: int


def net(payments: Iterable[BatchPayment], credits: Mapping[str, int]) -> Netting:
    """Positions of every participant with payments or credits, ordered by BIC, and their totals."""
    counts: dict[str, int] = defaultdict(int)
    debits: dict[str, int] = defaultdict(int)
    for payment in payments:
        if payment.amount_minor <= 0:
            raise ValueError(f"payment {payment.payment_id} has a non-positive amount")
        counts[payment.participant_bic] += 1
        debits[payment.participant_bic] += payment.amount_minor
    if any(amount < 0 for amount in credits.values()):
        raise ValueError("a participant's gross credit cannot be negative")
    bics = sorted(set(debits) | {bic for bic, amount in credits.items() if amount})
    positions = tuple(Position(bic, counts[bic], debits[bic], credits.get(bic, 0)) for bic in bics)
    gross_debit = sum(p.gross_debit_minor for p in positions)
    gross_credit = sum(p.gross_credit_minor for p in positions)
    return Netting(positions, sum(counts.values()), gross_debit, gross_credit, gross_credit - gross_debit)


def check(netting: Netting, booked_debits: Mapping[str, int]) -> bool:
    """The control check: totals agree with the positions and the ledger booked each participant's debits."""
    positions = netting.positions
    return (
        netting.payment_count == sum(p.payment_count for p in positions)
        and netting.gross_debit_minor == sum(p.gross_debit_minor for p in positions)
        and netting.gross_credit_minor == sum(p.gross_credit_minor for p in positions)
        and netting.net_minor == netting.gross_credit_minor - netting.gross_debit_minor
        and netting.net_minor == sum(p.net_minor for p in positions)
        and all(booked_debits.get(p.participant_bic, 0) == p.gross_debit_minor for p in positions)
        and all(bic in {p.participant_bic for p in positions} for bic, amount in booked_debits.items() if amount)
    )
