"""End-of-day statement of one account (camt.053.001.08), from the account's ledger entries of that day.

A day is a UTC calendar day ([00:00, 24:00) UTC): the ledger's booking times are UTC, and one boundary for every
account keeps statements and the reconciliation on the same days. The opening balance is the balance before the
day's first entry, the closing balance the balance after its last (entries in the account's own sequence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from xml.etree.ElementTree import Element

from libs.iso20022.money import to_text
from libs.iso20022.pain001 import iso_account
from libs.iso20022.schema import Message, validate
from libs.iso20022.xml import Builder, iso_datetime


@dataclass(frozen=True)
class Entry:
    """One ledger entry on the account: amount positive, `credit` its direction, `balance_after` signed."""

    entry_id: str
    sequence: int
    credit: bool
    amount_minor: int
    balance_after_minor: int
    booking_time: datetime
    payment_id: str = ""
    end_to_end_id: str = ""
    description: str = ""

    @property
    def signed_minor(self) -> int:
        return self.amount_minor if self.credit else -self.amount_minor


@dataclass(frozen=True)
class Statement:
    account_id: str
    currency: str
    day: date
    entries: Sequence[Entry]  # the day's entries

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("a statement needs the day's entries (no activity, no statement)")

    @property
    def ordered(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: e.sequence)

    @property
    def opening_minor(self) -> int:
        first = self.ordered[0]
        return first.balance_after_minor - first.signed_minor

    @property
    def closing_minor(self) -> int:
        return self.ordered[-1].balance_after_minor

    @property
    def statement_id(self) -> str:
        # Max35Text: 26 of the account's 32 hex digits (104 bits, unique in practice) and the day.
        return f"{iso_account(self.account_id)[:26]}{self.day:%Y%m%d}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC day as [start, end)."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def build(statement: Statement, created: datetime) -> bytes:
    """The statement as a camt.053.001.08 document, checked against the schema."""
    b = Builder(Message.CAMT_053)
    body = b.add(b.root, "BkToCstmrStmt")
    header = b.add(body, "GrpHdr")
    b.add(header, "MsgId", statement.statement_id)
    b.add(header, "CreDtTm", iso_datetime(created))
    stmt = b.add(body, "Stmt")
    b.add(stmt, "Id", statement.statement_id)
    b.add(stmt, "CreDtTm", iso_datetime(created))
    start, end = day_bounds(statement.day)
    period = b.add(stmt, "FrToDt")
    b.add(period, "FrDtTm", iso_datetime(start))
    b.add(period, "ToDtTm", iso_datetime(end - timedelta(seconds=1)))
    account = b.add(stmt, "Acct")
    b.path(account, "Id/Othr/Id", iso_account(statement.account_id))
    b.add(account, "Ccy", statement.currency)
    _balance(b, stmt, "OPBD", statement.opening_minor, statement)
    _balance(b, stmt, "CLBD", statement.closing_minor, statement)
    entries = statement.ordered
    summary = b.path(stmt, "TxsSummry/TtlNtries")
    b.add(summary, "NbOfNtries", str(len(entries)))
    b.add(summary, "Sum", to_text(sum(e.amount_minor for e in entries), statement.currency))
    net = sum(e.signed_minor for e in entries)
    net_entry = b.add(summary, "TtlNetNtry")
    b.add(net_entry, "Amt", to_text(abs(net), statement.currency))
    b.add(net_entry, "CdtDbtInd", "CRDT" if net >= 0 else "DBIT")
    for entry in entries:
        _entry(b, stmt, entry, statement.currency)
    data = b.tostring()
    validate(Message.CAMT_053, data)  # never hand out a statement the customer's software would refuse
    return data


def _balance(b: Builder, stmt: Element, code: str, minor: int, statement: Statement) -> None:
    balance = b.add(stmt, "Bal")
    b.path(balance, "Tp/CdOrPrtry/Cd", code)
    b.add(balance, "Amt", to_text(abs(minor), statement.currency), Ccy=statement.currency)
    b.add(balance, "CdtDbtInd", "CRDT" if minor >= 0 else "DBIT")
    b.path(balance, "Dt/Dt", statement.day.isoformat())


def _entry(b: Builder, stmt: Element, entry: Entry, currency: str) -> None:
    ntry = b.add(stmt, "Ntry")
    b.add(ntry, "NtryRef", str(entry.sequence))
    b.add(ntry, "Amt", to_text(entry.amount_minor, currency), Ccy=currency)
    b.add(ntry, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
    b.path(ntry, "Sts/Cd", "BOOK")
    booked = entry.booking_time.astimezone(UTC)
    b.path(ntry, "BookgDt/DtTm", iso_datetime(booked))
    b.path(ntry, "ValDt/Dt", booked.date().isoformat())
    b.add(ntry, "AcctSvcrRef", entry.entry_id.replace("-", "")[:35])
    # Payments domain: an issued (ICDT) or received (RCDT) domestic credit transfer (DMCT).
    domain = b.path(ntry, "BkTxCd/Domn")
    b.add(domain, "Cd", "PMNT")
    family = b.add(domain, "Fmly")
    b.add(family, "Cd", "RCDT" if entry.credit else "ICDT")
    b.add(family, "SubFmlyCd", "DMCT")
    if entry.payment_id or entry.end_to_end_id or entry.description:
        tx = b.path(ntry, "NtryDtls/TxDtls")
        refs = b.add(tx, "Refs")
        b.add(refs, "EndToEndId", entry.end_to_end_id or "NOTPROVIDED")
        if entry.payment_id:
            b.add(refs, "AcctSvcrTxId", entry.payment_id.replace("-", "")[:35])
        if entry.description:
            b.path(tx, "RmtInf/Ustrd", entry.description[:140])
