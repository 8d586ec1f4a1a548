"""pain.001.001.09 files as a customer's software writes them, for the exchange tests (written here, apart from
the code under test, and each checked against the official schema before use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from libs.iso20022.schema import Message, validate

NS = Message.PAIN_001.namespace


@dataclass
class Tx:
    end_to_end_id: str
    amount: str  # decimal text, e.g. "12.50"
    creditor_account: str = ""  # our account, 32 hex digits (on-us)
    creditor_iban: str = ""  # or another bank's account
    creditor_bic: str = ""
    creditor_name: str = "Creditor Ltd"
    currency: str = "EUR"
    remittance: str = "invoice"


@dataclass
class Block:
    pmt_inf_id: str
    debtor_account: str  # 32 hex digits
    txs: list[Tx] = field(default_factory=list)
    execution_date: date | None = None


def pain001(msg_id: str, blocks: list[Block]) -> bytes:
    root = ET.Element("Document", xmlns=NS)  # the default namespace, as ISO files are written
    body = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(body, "GrpHdr")
    _sub(header, "MsgId", msg_id)
    _sub(header, "CreDtTm", datetime.now(UTC).isoformat(timespec="seconds"))
    all_txs = [tx for block in blocks for tx in block.txs]
    _sub(header, "NbOfTxs", str(len(all_txs)))
    _sub(header, "CtrlSum", str(sum(Decimal(tx.amount) for tx in all_txs)))
    _sub(_sub(header, "InitgPty"), "Nm", "Test Corporate")
    for block in blocks:
        info = _sub(body, "PmtInf")
        _sub(info, "PmtInfId", block.pmt_inf_id)
        _sub(info, "PmtMtd", "TRF")
        _sub(info, "NbOfTxs", str(len(block.txs)))
        _sub(_sub(info, "ReqdExctnDt"), "Dt", (block.execution_date or datetime.now(UTC).date()).isoformat())
        _sub(_sub(info, "Dbtr"), "Nm", "Test Corporate")
        _sub(_sub(_sub(_sub(info, "DbtrAcct"), "Id"), "Othr"), "Id", block.debtor_account)
        _sub(_sub(_sub(info, "DbtrAgt"), "FinInstnId"), "BICFI", "FNTCDEFFXXX")
        for tx in block.txs:
            item = _sub(info, "CdtTrfTxInf")
            _sub(_sub(item, "PmtId"), "EndToEndId", tx.end_to_end_id)
            _sub(_sub(item, "Amt"), "InstdAmt", tx.amount, Ccy=tx.currency)
            if tx.creditor_bic:
                _sub(_sub(_sub(item, "CdtrAgt"), "FinInstnId"), "BICFI", tx.creditor_bic)
            _sub(_sub(item, "Cdtr"), "Nm", tx.creditor_name)
            account = _sub(_sub(item, "CdtrAcct"), "Id")
            if tx.creditor_iban:
                _sub(account, "IBAN", tx.creditor_iban)
            else:
                _sub(_sub(account, "Othr"), "Id", tx.creditor_account)
            if tx.remittance:
                _sub(_sub(item, "RmtInf"), "Ustrd", tx.remittance)
    data = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    validate(Message.PAIN_001, data)  # a test file the schema refuses would test nothing
    return data


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element
