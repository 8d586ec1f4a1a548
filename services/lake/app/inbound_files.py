"""Inbound pain.001 files: each transaction becomes a payment through InitiatePayment, then a pain.002 answers the
file and the file moves to processed/.

Nothing is lost: the file leaves inbound/ only after every transaction has a definite outcome and the report is
written; a crash or an unavailable payments service midway leaves it there, and the next round repeats it, each
transaction with the same idempotency key, so nothing is paid twice. An invalid file is answered with a rejected
group status (FF01) and moved too: it would never become valid by waiting.

Who sent a file: the bank's file gateway authenticates the customer and drops the file into
`inbound/<customer id>/`; every debtor account must be that customer's (else AC01, as for an unknown account:
the answer does not tell whether another customer's account exists). A file outside a customer's folder is
rejected whole.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from libs.iso20022 import pain001, pain002
from libs.iso20022.keys import idempotency_key
from libs.iso20022.reasons import Reason
from libs.iso20022.schema import InvalidFile, message_id
from services.lake.app.exchange_ports import FileStore, PaymentOrders
from services.lake.domain.file_outcomes import Accepted

log = structlog.get_logger(__name__)
# Larger files are refused whole, unread: a file is parsed and validated in memory.
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Folders:
    """The exchange's folders in the bucket."""

    prefix: str = "exchange"

    @property
    def inbound(self) -> str:
        return f"{self.prefix}/inbound/"

    @property
    def processed(self) -> str:
        return f"{self.prefix}/processed/"

    @property
    def reports(self) -> str:
        return f"{self.prefix}/reports/"

    @property
    def outbound(self) -> str:
        return f"{self.prefix}/outbound/"


@dataclass(frozen=True)
class FileResult:
    key: str
    report_key: str
    processed_key: str
    accepted: int
    rejected: int
    group_status: str


class InboundFiles:
    def __init__(
        self, store: FileStore, payments: PaymentOrders, folders: Folders, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._store = store
        self._payments = payments
        self._folders = folders
        self._clock = clock or (lambda: datetime.now(UTC))

    async def pending(self) -> list[str]:
        return [key for key in await self._store.keys(self._folders.inbound) if not key.endswith("/")]

    async def process(self, key: str) -> FileResult:
        """Pay one inbound file's transactions and answer it; raises (leaving the file) when payments has not
        given every transaction an outcome."""
        too_large = await self._store.size(key) > MAX_FILE_BYTES
        data = b"" if too_large else await self._store.read(key)
        started = self._clock()
        name = key.removeprefix(self._folders.inbound).replace("/", "_")
        stamp = f"{started:%Y%m%dT%H%M%S%f}"
        report_id = "RPT" + hashlib.sha256(f"{key}:{stamp}".encode()).hexdigest()[:32]
        sender = self.sender(key)
        try:
            if too_large:
                raise InvalidFile([f"file larger than {MAX_FILE_BYTES} bytes"])
            # Parsing and XSD validation take about 1 ms per transaction: off the event loop the service shares.
            initiation = await asyncio.to_thread(pain001.parse, data)
        except InvalidFile as invalid:
            report = pain002.Report(report_id, message_id(data) or "UNKNOWN", 0, [], file_error=invalid.errors[0])
        else:
            if sender is None:
                error = "sender unknown: a file must come through a customer's folder"
                report = pain002.Report(report_id, initiation.msg_id, 0, [], file_error=error)
            else:
                report = await self._pay(report_id, initiation, sender)
        report_key = f"{self._folders.reports}{stamp}-{name}.pain002.xml"
        processed_key = f"{self._folders.processed}{stamp}-{name}"
        await self._store.write(report_key, await asyncio.to_thread(pain002.build, report, self._clock()))
        await self._store.move(key, processed_key)
        accepted = report.transaction_count - len(report.rejected)
        log.info("exchange.file_processed", key=key, report=report_key, status=report.group_status,
                 accepted=accepted, rejected=len(report.rejected))  # fmt: skip
        return FileResult(key, report_key, processed_key, accepted, len(report.rejected), report.group_status)

    def sender(self, key: str) -> str | None:
        """The customer whose folder the file is in (`inbound/<customer id>/<file>`), None outside one."""
        folder, _, name = key.removeprefix(self._folders.inbound).partition("/")
        try:
            return str(uuid.UUID(folder)) if name else None
        except ValueError:
            return None

    async def _pay(self, report_id: str, initiation: pain001.Initiation, sender: str) -> pain002.Report:
        rejected: list[pain002.Rejected] = []
        owners: dict[str, str | None] = {}
        for item in initiation.items:
            if isinstance(item, pain001.Refusal):
                rejected.append(pain002.Rejected(item.ref, item.reason, item.text))
                continue
            if item.debtor_account_id not in owners:
                owners[item.debtor_account_id] = await self._payments.account_owner(item.debtor_account_id)
            if owners[item.debtor_account_id] != sender:
                rejected.append(pain002.Rejected(item.ref, Reason.ACCOUNT_UNKNOWN, "unknown debtor account"))
                continue
            outcome = await self._payments.initiate(item, idempotency_key(item))
            if not isinstance(outcome, Accepted):
                rejected.append(pain002.Rejected(item.ref, outcome.reason, outcome.text))
        return pain002.Report(report_id, initiation.msg_id, initiation.transaction_count, rejected)
