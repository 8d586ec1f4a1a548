"""The ISO 20022 files of the exchange, pure: reading pain.001, the idempotency keys, writing pain.002 and camt.053,
each document checked against the official schema (no mesh)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from libs.iso20022 import camt053, pain001, pain002
from libs.iso20022.keys import idempotency_key
from libs.iso20022.money import to_minor, to_text
from libs.iso20022.reasons import Reason
from libs.iso20022.schema import SCHEMAS, InvalidFile, Message, message_id, validate
from tests.exchange.files import Block, Tx
from tests.exchange.files import pain001 as write_pain001

DEBTOR, CREDITOR = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)

# The vendored schemas are the official files, unmodified (schemas/README.md says where they come from).
SCHEMA_SHA256 = {
    "pain.001.001.09.xsd": "05440a7e84f695e7dbc6677082f43623cd7393881b76a5e8d648ae21d7d728e3",
    "pain.002.001.03.xsd": "c0c2b98f51638147598678bbec3d5aedfa270a819c2fda8014ba3c34a5972195",
    "camt.053.001.08.xsd": "ca0b135cc8e2dde5b2f99af6b6c514a8f29d6e7c6cf98e9ea84d247189868ff5",
}


def test_the_schemas_are_the_official_files() -> None:
    for name, digest in SCHEMA_SHA256.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name


def _file(*txs: Tx, msg_id: str = "MSG-1", debtor: str = DEBTOR.hex) -> bytes:
    return write_pain001(msg_id, [Block("PMT-1", debtor, list(txs))])


def test_a_pain001_becomes_its_transfers() -> None:
    data = _file(
        Tx("E2E-1", "12.50", creditor_account=CREDITOR.hex, remittance="invoice 7"),
        Tx("E2E-2", "3", creditor_iban="DE89370400440532013000", creditor_bic="COBADEFFXXX", creditor_name="Zed"),
    )
    initiation = pain001.parse(data)
    on_us, off_us = list(initiation.items)
    assert initiation.msg_id == "MSG-1" and initiation.transaction_count == 2
    assert isinstance(on_us, pain001.CreditTransfer) and isinstance(off_us, pain001.CreditTransfer)
    assert on_us.debtor_account_id == str(DEBTOR) and on_us.creditor == str(CREDITOR) and on_us.on_us
    assert (on_us.amount_minor, on_us.currency, on_us.remittance) == (1250, "EUR", "invoice 7")
    assert on_us.ref == pain001.TransactionRef("MSG-1", "PMT-1", "E2E-1")
    assert off_us.creditor == pain001.ExternalCreditor("DE89370400440532013000", "COBADEFFXXX", "Zed")
    assert off_us.amount_minor == 300 and not off_us.on_us


@pytest.mark.parametrize(
    ("tx", "debtor", "reason"),
    [
        (Tx("E2E-1", "1.005", creditor_account=CREDITOR.hex), DEBTOR.hex, Reason.INVALID_AMOUNT),
        (Tx("E2E-1", "1.00", creditor_account="not-ours"), DEBTOR.hex, Reason.ACCOUNT_UNKNOWN),
        (Tx("E2E-1", "1.00", creditor_iban="DE89370400440532013000"), DEBTOR.hex, Reason.ACCOUNT_UNKNOWN),
        (Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex), "ACCOUNT-7", Reason.ACCOUNT_UNKNOWN),
        (Tx("E2E_1", "1.00", creditor_account=CREDITOR.hex), DEBTOR.hex, Reason.NARRATIVE),
    ],
)
def test_a_transaction_that_cannot_be_a_payment_is_refused_alone(tx: Tx, debtor: str, reason: Reason) -> None:
    good = Tx("E2E-9", "2.00", creditor_account=CREDITOR.hex)
    items = list(pain001.parse(_file(tx, good, debtor=debtor)).items)
    assert isinstance(items[0], pain001.Refusal) and items[0].reason == reason
    assert items[0].ref.end_to_end_id == tx.end_to_end_id
    assert isinstance(items[1], pain001.CreditTransfer) or debtor != DEBTOR.hex


def test_a_repeated_end_to_end_id_is_refused_not_paid_once_for_both() -> None:
    items = list(pain001.parse(_file(*[Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex)] * 2)).items)
    assert isinstance(items[0], pain001.CreditTransfer)
    assert isinstance(items[1], pain001.Refusal) and items[1].reason == Reason.DUPLICATE


@pytest.mark.parametrize(
    "data",
    [
        b"<Document",
        b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY e 'x'>]><d>&e;</d>",
        b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.03'/>",
    ],
)
def test_a_file_that_is_not_a_pain001_is_invalid(data: bytes) -> None:
    with pytest.raises(InvalidFile):
        pain001.parse(data)


def test_a_schema_violation_names_where() -> None:
    data = _file(Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex)).replace(b"<PmtMtd>TRF<", b"<PmtMtd>XXX<")
    with pytest.raises(InvalidFile) as raised:
        pain001.parse(data)
    assert any("PmtMtd" in error for error in raised.value.errors)
    assert message_id(data) == "MSG-1"  # still readable for the status report


def test_the_key_is_valid_for_initiate_payment_and_stable_per_transaction() -> None:
    first = next(iter(pain001.parse(_file(Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex))).items))
    again = next(iter(pain001.parse(_file(Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex))).items))
    other = next(iter(pain001.parse(_file(Tx("E2E-2", "1.00", creditor_account=CREDITOR.hex))).items))
    other_debtor = next(iter(pain001.parse(_file(Tx("E2E-1", "1.00", creditor_account=CREDITOR.hex),
                                                 debtor=uuid.uuid4().hex)).items))  # fmt: skip
    assert isinstance(first, pain001.CreditTransfer) and isinstance(again, pain001.CreditTransfer)
    assert isinstance(other, pain001.CreditTransfer) and isinstance(other_debtor, pain001.CreditTransfer)
    key = idempotency_key(first)
    assert 8 <= len(key) <= 128 and all(c.isalnum() or c in "_.:-" for c in key)
    assert key == idempotency_key(again)
    assert len({key, idempotency_key(other), idempotency_key(other_debtor)}) == 3


def test_ids_that_concatenate_alike_give_different_keys() -> None:
    def transfer(msg: str, pmt: str) -> pain001.CreditTransfer:
        ref = pain001.TransactionRef(msg, pmt, "E")
        return pain001.CreditTransfer(ref, str(DEBTOR), str(CREDITOR), 1, "EUR", "", None)

    assert idempotency_key(transfer("AB", "C")) != idempotency_key(transfer("A", "BC"))


def _find(root: ET.Element, path: str) -> list[str]:
    ns = {"d": root.tag[1:].split("}")[0]}
    return [(e.text or "") for e in root.findall(path, ns)]


def test_the_status_report_names_each_rejected_transaction() -> None:
    ref = pain001.TransactionRef("MSG-1", "PMT-1", "E2E-4", "INSTR-4")
    report = pain002.Report("RPT-1", "MSG-1", 4, [pain002.Rejected(ref, Reason.INSUFFICIENT_FUNDS, "not enough")])
    root = validate(Message.PAIN_002, pain002.build(report, NOW)).root
    assert _find(root, ".//d:OrgnlGrpInfAndSts/d:GrpSts") == ["PART"]
    assert _find(root, ".//d:OrgnlGrpInfAndSts/d:OrgnlNbOfTxs") == ["4"]
    assert _find(root, ".//d:TxInfAndSts/d:OrgnlEndToEndId") == ["E2E-4"]
    assert _find(root, ".//d:TxInfAndSts/d:OrgnlInstrId") == ["INSTR-4"]
    assert _find(root, ".//d:TxInfAndSts/d:TxSts") == ["RJCT"]
    assert _find(root, ".//d:TxInfAndSts/d:StsRsnInf/d:Rsn/d:Cd") == ["AM04"]
    assert _find(root, ".//d:TxInfAndSts/d:StsRsnInf/d:AddtlInf") == ["not enough"]


def test_group_status() -> None:
    ref = pain001.TransactionRef("M", "P", "E")
    rejected = [pain002.Rejected(ref, Reason.FRAUD, "")]
    assert pain002.Report("R", "M", 2, []).group_status == "ACCP"
    assert pain002.Report("R", "M", 2, rejected).group_status == "PART"
    assert pain002.Report("R", "M", 1, rejected).group_status == "RJCT"
    whole = pain002.Report("R", "?", 0, [], file_error="not well-formed")
    root = validate(Message.PAIN_002, pain002.build(whole, NOW)).root
    assert _find(root, ".//d:OrgnlGrpInfAndSts/d:GrpSts") == ["RJCT"]
    assert _find(root, ".//d:OrgnlGrpInfAndSts/d:StsRsnInf/d:Rsn/d:Cd") == ["FF01"]
    assert _find(root, ".//d:TxInfAndSts") == []


def _entry(sequence: int, credit: bool, amount: int, balance: int, at: datetime) -> camt053.Entry:
    return camt053.Entry(str(uuid.uuid4()), sequence, credit, amount, balance, at, str(uuid.uuid4()), f"E2E-{sequence}")


def test_a_statement_has_balances_entries_and_totals() -> None:
    entries = [  # out of order on purpose: the account's sequence orders them
        _entry(8, False, 1_250, 98_750, NOW + timedelta(hours=1)),
        _entry(7, True, 100_000, 100_000, NOW),
        _entry(9, False, 100_000, -1_250, NOW + timedelta(hours=2)),
    ]
    statement = camt053.Statement(str(DEBTOR), "EUR", NOW.date(), entries)
    root = validate(Message.CAMT_053, camt053.build(statement, NOW)).root
    assert _find(root, ".//d:Stmt/d:Acct/d:Id/d:Othr/d:Id") == [DEBTOR.hex]
    assert _find(root, ".//d:Stmt/d:Bal/d:Tp/d:CdOrPrtry/d:Cd") == ["OPBD", "CLBD"]
    assert _find(root, ".//d:Stmt/d:Bal/d:Amt") == ["0.00", "12.50"]
    assert _find(root, ".//d:Stmt/d:Bal/d:CdtDbtInd") == ["CRDT", "DBIT"]
    assert _find(root, ".//d:Ntry/d:NtryRef") == ["7", "8", "9"]
    assert _find(root, ".//d:Ntry/d:Amt") == ["1000.00", "12.50", "1000.00"]
    assert _find(root, ".//d:Ntry/d:CdtDbtInd") == ["CRDT", "DBIT", "DBIT"]
    assert _find(root, ".//d:TxsSummry/d:TtlNtries/d:NbOfNtries") == ["3"]
    assert _find(root, ".//d:TxsSummry/d:TtlNtries/d:TtlNetNtry/d:Amt") == ["12.50"]
    assert _find(root, ".//d:TxsSummry/d:TtlNtries/d:TtlNetNtry/d:CdtDbtInd") == ["DBIT"]
    assert _find(root, ".//d:Ntry/d:NtryDtls/d:TxDtls/d:Refs/d:EndToEndId") == ["E2E-7", "E2E-8", "E2E-9"]
    assert len(statement.statement_id) <= 35


def test_no_activity_no_statement() -> None:
    with pytest.raises(ValueError):
        camt053.Statement(str(DEBTOR), "EUR", date(2026, 12, 7), [])


def test_the_day_is_the_utc_day() -> None:
    start, end = camt053.day_bounds(date(2026, 12, 7))
    assert start == datetime(2026, 12, 7, tzinfo=UTC) and end - start == timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.5", "EUR", 1250), ("12.50", "EUR", 1250), ("1.005", "EUR", None), ("100", "JPY", 100),
     ("1.5", "JPY", None), ("1.234", "KWD", 1234)],
)  # fmt: skip
def test_amounts_to_minor_units(text: str, currency: str, minor: int | None) -> None:
    assert to_minor(Decimal(text), currency) == minor


def test_minor_units_to_text() -> None:
    assert (to_text(1250, "EUR"), to_text(5, "EUR"), to_text(100, "JPY"), to_text(1234, "KWD")) == (
        "12.50", "0.05", "100", "1.234")  # fmt: skip
