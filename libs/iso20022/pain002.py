"""The bank's customer payment status report (pain.002.001.03) on one pain.001 file.

Group status: ACCP when every transaction was accepted, PART when some were rejected, RJCT when all were (or the
file itself was: then one group reason and no transactions). One TxInfAndSts per rejected transaction, with its
EndToEndId, a reason code and a short text; accepted transactions are counted, not listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from libs.iso20022.pain001 import TransactionRef
from libs.iso20022.reasons import Reason
from libs.iso20022.schema import Message, validate
from libs.iso20022.xml import Builder, iso_datetime

_ADDITIONAL_INFO_MAX = 105


@dataclass(frozen=True)
class Rejected:
    ref: TransactionRef
    reason: Reason
    text: str


@dataclass(frozen=True)
class Report:
    msg_id: str  # this report's own id
    original_msg_id: str
    transaction_count: int
    rejected: list[Rejected]
    file_error: str | None = None  # the whole file was refused, and why

    @property
    def group_status(self) -> str:
        if self.file_error is not None or (self.rejected and len(self.rejected) >= self.transaction_count):
            return "RJCT"
        return "PART" if self.rejected else "ACCP"


def build(report: Report, created: datetime) -> bytes:
    """The report as a pain.002.001.03 document, checked against the schema."""
    b = Builder(Message.PAIN_002)
    body = b.add(b.root, "CstmrPmtStsRpt")
    header = b.add(body, "GrpHdr")
    b.add(header, "MsgId", report.msg_id[:35])
    b.add(header, "CreDtTm", iso_datetime(created))
    group = b.add(body, "OrgnlGrpInfAndSts")
    b.add(group, "OrgnlMsgId", report.original_msg_id[:35])
    b.add(group, "OrgnlMsgNmId", Message.PAIN_001.value)
    if report.file_error is None:
        b.add(group, "OrgnlNbOfTxs", str(report.transaction_count))
    b.add(group, "GrpSts", report.group_status)
    if report.file_error is not None:
        _reason(b, group, Reason.FILE_FORMAT, report.file_error)
    by_block: dict[str, list[Rejected]] = defaultdict(list)
    for rejected in report.rejected:
        by_block[rejected.ref.pmt_inf_id].append(rejected)
    for pmt_inf_id, rejected_here in by_block.items():
        block = b.add(body, "OrgnlPmtInfAndSts")
        b.add(block, "OrgnlPmtInfId", pmt_inf_id[:35])
        for rejected in rejected_here:
            tx = b.add(block, "TxInfAndSts")
            if rejected.ref.instr_id:
                b.add(tx, "OrgnlInstrId", rejected.ref.instr_id)
            b.add(tx, "OrgnlEndToEndId", rejected.ref.end_to_end_id)
            b.add(tx, "TxSts", "RJCT")
            _reason(b, tx, rejected.reason, rejected.text)
    data = b.tostring()
    validate(Message.PAIN_002, data)  # a report the customer's software would refuse is a bug here
    return data


def _reason(b: Builder, parent: Element, reason: Reason, text: str) -> None:
    info = b.add(parent, "StsRsnInf")
    b.add(b.add(info, "Rsn"), "Cd", reason.value)
    if text:
        b.add(info, "AddtlInf", text[:_ADDITIONAL_INFO_MAX])
