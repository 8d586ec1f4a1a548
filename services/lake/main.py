"""The lake service assembled: its database (which holds the Iceberg catalog), the catalog's tables on the object
store, and the background parts that fill and read the lake. It has no gRPC API of its own: it serves health (and
reflection) only, SERVING while its database, Kafka and the object store answer."""

from __future__ import annotations

from services.lake.adapters.catalog import DOMAINS
from services.lake.adapters.exchange_tasks import FileExchange
from services.lake.adapters.lake import Lake
from services.lake.adapters.ledger import LedgerTotals
from services.lake.adapters.reconciliation_task import ReconciliationTask
from services.lake.adapters.sink import LakeSink
from services.lake.app.reconciliation import Reconciliation
from services.runtime.app import domain_service
from services.runtime.clients import ServiceClient
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import Service


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("lake", settings)
    lake = Lake(settings)
    sinks = [LakeSink(lake, domain, settings) for domain in DOMAINS]
    payments = ServiceClient("lake", "payments", settings=settings)
    reconciliation = Reconciliation(settings, lake.catalog, LedgerTotals(payments), DOMAINS,
                                    sink_groups={sink.domain: sink.group_id for sink in sinks})  # fmt: skip
    service = domain_service(
        "lake",
        settings=settings,
        database=database,
        background=[
            lake,
            *sinks,
            payments,  # one channel to payments, for the file exchange and the reconciliation
            *FileExchange(settings, lake.opened_catalog, payments).background,
            ReconciliationTask(reconciliation, settings.reconciliation.interval_seconds),
        ],
    )
    service.readiness["object_store"] = lake.ready
    return service
