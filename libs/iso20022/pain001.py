"""A customer credit transfer initiation (pain.001.001.09) read into the transactions it orders.

A valid file's transactions each become a `CreditTransfer`, or a `Refusal` when the file is valid ISO 20022 but the
transaction cannot be a payment of this bank (an amount with too many decimals, an account that is not one of ours,
a duplicate EndToEndId in the same payment information block).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from libs.iso20022.money import to_minor
from libs.iso20022.reasons import Reason
from libs.iso20022.schema import Document, Message, validate

_NS = {"p": Message.PAIN_001.namespace}
# What the payments contract accepts as an EndToEndId (the SWIFT character set); ISO's Max35Text allows more.
_SWIFT_TEXT = re.compile(r"^[A-Za-z0-9/?:().,'+ -]*$")
_REMITTANCE_MAX = 140


@dataclass(frozen=True)
class TransactionRef:
    """The identifiers the customer gave one transaction: what the status report names it by."""

    msg_id: str
    pmt_inf_id: str
    end_to_end_id: str
    instr_id: str | None = None


@dataclass(frozen=True)
class ExternalCreditor:
    iban: str
    bic: str
    name: str


@dataclass(frozen=True)
class CreditTransfer:
    ref: TransactionRef
    debtor_account_id: str  # an account of this bank (UUID)
    creditor: str | ExternalCreditor  # an account of this bank (UUID), or one at another bank
    amount_minor: int
    currency: str
    remittance: str
    requested_date: date | None

    @property
    def on_us(self) -> bool:
        return isinstance(self.creditor, str)


@dataclass(frozen=True)
class Refusal:
    ref: TransactionRef
    reason: Reason
    text: str


@dataclass(frozen=True)
class PaymentBlock:
    pmt_inf_id: str
    items: list[CreditTransfer | Refusal]


@dataclass(frozen=True)
class Initiation:
    msg_id: str
    created: str
    blocks: list[PaymentBlock]

    @property
    def items(self) -> Iterator[CreditTransfer | Refusal]:
        for block in self.blocks:
            yield from block.items

    @property
    def transaction_count(self) -> int:
        return sum(len(block.items) for block in self.blocks)


def parse(data: bytes) -> Initiation:
    """The orders of a pain.001.001.09 file; InvalidFile when it does not match the schema."""
    return read(validate(Message.PAIN_001, data))


def read(document: Document) -> Initiation:
    initiation = _one(document.root, "p:CstmrCdtTrfInitn")
    header = _one(initiation, "p:GrpHdr")
    msg_id = _text(header, "p:MsgId")
    blocks = [_block(msg_id, block) for block in initiation.findall("p:PmtInf", _NS)]
    return Initiation(msg_id, _text(header, "p:CreDtTm"), blocks)


def account_id(text: str) -> str | None:
    """An account of this bank as ISO files name it: its UUID, as 32 hex digits (ISO's account ids are at most
    34 characters, so a UUID's hyphens do not fit) or with hyphens where the field allows; None otherwise."""
    try:
        return str(uuid.UUID(hex=text))
    except ValueError:
        return None


def iso_account(account: str) -> str:
    """The id a file names one of our accounts by: its UUID's 32 hex digits."""
    return uuid.UUID(account).hex


def _block(msg_id: str, block: Element) -> PaymentBlock:
    pmt_inf_id = _text(block, "p:PmtInfId")
    debtor_text = _account(_one(block, "p:DbtrAcct"))
    requested = _requested_date(_one(block, "p:ReqdExctnDt"))
    seen: set[str] = set()
    items: list[CreditTransfer | Refusal] = []
    for tx in block.findall("p:CdtTrfTxInf", _NS):
        ref = TransactionRef(msg_id, pmt_inf_id, _text(tx, "p:PmtId/p:EndToEndId"), _opt(tx, "p:PmtId/p:InstrId"))
        if ref.end_to_end_id in seen:  # same ids, same idempotency key: it would silently pay once
            items.append(Refusal(ref, Reason.DUPLICATE, "EndToEndId repeated in this payment information block"))
            continue
        seen.add(ref.end_to_end_id)
        items.append(_transfer(ref, debtor_text, requested, tx))
    return PaymentBlock(pmt_inf_id, items)


def _transfer(ref: TransactionRef, debtor_text: str, requested: date | None, tx: Element) -> CreditTransfer | Refusal:
    debtor = account_id(debtor_text)
    if debtor is None:
        return Refusal(ref, Reason.ACCOUNT_UNKNOWN, "debtor account is not an account of this bank")
    if not _SWIFT_TEXT.match(ref.end_to_end_id):
        return Refusal(ref, Reason.NARRATIVE, "EndToEndId outside the SWIFT character set")
    instructed = _one(tx, "p:Amt/p:InstdAmt")
    currency = instructed.get("Ccy", "")
    try:
        minor = to_minor(Decimal((instructed.text or "").strip()), currency)
    except InvalidOperation:
        minor = None
    if minor is None or minor <= 0:
        return Refusal(ref, Reason.INVALID_AMOUNT, f"amount has more decimals than {currency} has")
    creditor = _creditor(tx)
    if creditor is None:
        return Refusal(ref, Reason.ACCOUNT_UNKNOWN, "creditor account is neither ours nor an IBAN with its BIC")
    remittance = " ".join(u.text.strip() for u in tx.findall("p:RmtInf/p:Ustrd", _NS) if u.text)
    return CreditTransfer(ref, debtor, creditor, minor, currency, remittance[:_REMITTANCE_MAX], requested)


def _creditor(tx: Element) -> str | ExternalCreditor | None:
    account = tx.find("p:CdtrAcct/p:Id", _NS)
    if account is None:
        return None
    iban = _opt(account, "p:IBAN")
    if iban is None:
        return account_id(_text(account, "p:Othr/p:Id"))
    bic = _opt(tx, "p:CdtrAgt/p:FinInstnId/p:BICFI")
    name = _opt(tx, "p:Cdtr/p:Nm")
    if bic is None or not name:
        return None
    return ExternalCreditor(iban, bic, name)


def _account(account: Element) -> str:
    return _opt(account, "p:Id/p:IBAN") or _opt(account, "p:Id/p:Othr/p:Id") or ""


def _requested_date(element: Element) -> date | None:
    text = _opt(element, "p:Dt") or (_opt(element, "p:DtTm") or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _one(element: Element, path: str) -> Element:
    found = element.find(path, _NS)
    if found is None:  # the schema requires it: a validated document always has it
        raise ValueError(f"{path} missing")
    return found


def _text(element: Element, path: str) -> str:
    return (_one(element, path).text or "").strip()


def _opt(element: Element, path: str) -> str | None:
    found = element.find(path, _NS)
    return (found.text or "").strip() if found is not None else None
