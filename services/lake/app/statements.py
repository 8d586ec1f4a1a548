"""Outbound end-of-day statements: a camt.053 per account with activity on a UTC day, from the lake, written to
exchange/outbound/camt053/<date>/<account>.xml once the day is over (and its last events had time to reach the
lake), or on demand for one account and day (a statement of today so far)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import structlog

from libs.iso20022 import camt053
from services.lake.app.exchange_ports import FileStore, LedgerHistory
from services.lake.app.inbound_files import Folders

log = structlog.get_logger(__name__)
DONE = "_COMPLETE"  # written last in a day's folder: the day's statements are all there


@dataclass(frozen=True)
class WrittenStatement:
    key: str
    statement: camt053.Statement
    document: bytes


class Statements:
    def __init__(
        self,
        store: FileStore,
        history: LedgerHistory,
        folders: Folders,
        *,
        delay: timedelta = timedelta(minutes=10),
        lookback_days: int = 3,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._store = store
        self._history = history
        self._folders = folders
        self._delay = delay
        self._lookback_days = lookback_days
        self._clock = clock or (lambda: datetime.now(UTC))

    def folder(self, day: date) -> str:
        return f"{self._folders.outbound}camt053/{day.isoformat()}/"

    def key(self, day: date, account_id: str) -> str:
        return f"{self.folder(day)}{account_id}.xml"

    def closed_days(self) -> list[date]:
        """The days whose statements are due: over for at least `delay`, within the lookback."""
        last_closed = (self._clock() - self._delay).date() - timedelta(days=1)
        return [last_closed - timedelta(days=n) for n in range(self._lookback_days - 1, -1, -1)]

    async def due(self) -> list[date]:
        return [day for day in self.closed_days() if not await self._store.exists(self.folder(day) + DONE)]

    async def write_statements(self, day: date) -> list[WrittenStatement]:
        """Every account's statement of `day` (so far, for today), written."""
        return [await self._write(statement) for statement in await self._history.statements(day)]

    async def write_day(self, day: date) -> list[WrittenStatement]:
        """Every account's statement of a closed `day`, then the day's completion marker."""
        written = await self.write_statements(day)
        await self._store.write(self.folder(day) + DONE, f"{len(written)}\n".encode())
        log.info("exchange.statements_written", day=day.isoformat(), statements=len(written))
        return written

    async def for_account(self, account_id: str, day: date) -> WrittenStatement | None:
        """The statement of one account and day (today: so far), written now; None without activity that day."""
        statements = await self._history.statements(day, account_id)
        return await self._write(statements[0]) if statements else None

    async def _write(self, statement: camt053.Statement) -> WrittenStatement:
        # Validated against the XSD before it is written; off the event loop (about 1.5 ms per entry).
        document = await asyncio.to_thread(camt053.build, statement, self._clock())
        key = self.key(statement.day, statement.account_id)
        await self._store.write(key, document)
        return WrittenStatement(key, statement, document)
