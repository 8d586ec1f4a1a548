"""The file exchange's scheduled rounds (the runtime's PeriodicTask, no cron): inbound pain.001 files every few
seconds, end-of-day statements once a day is over. Assembled by `FileExchange` for the lake's build()."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import Counter, Gauge
from pyiceberg.catalog import Catalog

from services.lake.adapters.catalog import open_catalog
from services.lake.adapters.exchange_store import ExchangeStore
from services.lake.adapters.ledger_history import LakeLedgerHistory
from services.lake.adapters.payment_orders import PaymentOrders
from services.lake.app.inbound_files import Folders, InboundFiles
from services.lake.app.statements import Statements
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings
from services.runtime.periodic import PeriodicTask

log = structlog.get_logger(__name__)

FILES = Counter("fintech_exchange_files_total", "Inbound pain.001 files answered, by group status", ["status"])
TRANSACTIONS = Counter("fintech_exchange_transactions_total", "Transactions of inbound files, by outcome", ["outcome"])
STATEMENTS = Counter("fintech_exchange_statements_total", "camt.053 statements written")
# A file that stays in inbound/ has transactions without an outcome (payments away, a file it cannot take):
# the ExchangeInboundFileStuck alert (tools/observability/rules.py) watches this.
INBOUND_OLDEST_AGE = Gauge(
    "fintech_exchange_inbound_oldest_age_seconds", "Age of the oldest pain.001 file waiting in exchange/inbound/"
)


class InboundFilesTask(PeriodicTask):
    """Each round answers every file waiting in exchange/inbound/, oldest key first."""

    def __init__(self, files: InboundFiles, store: ExchangeStore, folders: Folders, interval: float) -> None:
        super().__init__("exchange-inbound", interval)
        self.files = files
        self.store = store
        self.folders = folders

    async def tick(self) -> bool:
        # Measured before the files are worked on, so a round that fails still reports how long they wait.
        INBOUND_OLDEST_AGE.set(await self.store.oldest_age_seconds(self.folders.inbound))
        for key in await self.files.pending():
            result = await self.files.process(key)  # raises, leaving the file, when payments gave no outcome
            FILES.labels(result.group_status).inc()
            TRANSACTIONS.labels("accepted").inc(result.accepted)
            TRANSACTIONS.labels("rejected").inc(result.rejected)
        return False


class StatementsTask(PeriodicTask):
    """Each round writes the statements of the days that are over and not yet written."""

    def __init__(self, statements: Statements, interval: float) -> None:
        super().__init__("exchange-statements", interval)
        self.statements = statements

    async def tick(self) -> bool:
        for day in await self.statements.due():
            STATEMENTS.inc(len(await self.statements.write_day(day)))
        return False


def statements_of(settings: Settings, catalog: Callable[[], Catalog] | None = None) -> Statements:
    """The statements over the object store and the lake's catalog (by default opened here: the demo, the tests)."""
    config = settings.exchange
    return Statements(
        ExchangeStore(settings.object_store),
        LakeLedgerHistory(catalog or (lambda: open_catalog(settings))),
        Folders(config.prefix),
        delay=timedelta(seconds=config.statement_delay_seconds),
        lookback_days=config.lookback_days,
    )


class FileExchange:
    """The exchange's parts: the payments client (a background part itself, unless the caller shares its own) and
    the two tasks."""

    def __init__(
        self, settings: Settings, catalog: Callable[[], Catalog] | None = None, payments: ServiceClient | None = None
    ) -> None:
        config = settings.exchange
        folders = Folders(config.prefix)
        store = ExchangeStore(settings.object_store)
        self._own_client = payments is None
        self.client = payments or ServiceClient("lake", "payments", settings=settings)
        self.inbound = InboundFiles(store, PaymentOrders(self.client), folders)
        self.statements = statements_of(settings, catalog)
        self.inbound_task = InboundFilesTask(self.inbound, store, folders, config.inbound_interval_seconds)
        self.statements_task = StatementsTask(self.statements, config.statement_interval_seconds)

    @property
    def background(self) -> list[Any]:
        return [*([self.client] if self._own_client else []), self.inbound_task, self.statements_task]
