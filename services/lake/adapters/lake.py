"""The lake as a background part of the service: opens the Iceberg catalog and creates its namespaces and event
tables once the database and the object store answer, retrying until they do, and hands the catalog to the parts
that write and read the lake (the sink, the file exchange, reconciliation)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from pyiceberg.catalog import Catalog

from services.lake.adapters.catalog import ensure_event_tables, open_catalog
from services.runtime.backoff import Backoff
from services.runtime.config import Settings
from services.runtime.object_store import S3Client, bucket_answers, s3_client
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)

RETRY = Backoff(initial=0.5, maximum=10.0)
PROBE_TIMEOUT = 0.8  # within the health loop's bound on a check (1 s)


class Lake:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalog: Catalog | None = None
        # The readiness probe's client, made once (making one takes longer than the probe may).
        self._probe: S3Client | None = None
        self._opened = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._open(), name="lake-catalog")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def catalog(self) -> Catalog:
        """The catalog, once its tables exist (waits for that)."""
        await self._opened.wait()
        assert self._catalog is not None
        return self._catalog

    def opened_catalog(self) -> Catalog:
        """The catalog, for code that runs after `catalog()` returned (in a worker thread)."""
        if self._catalog is None:
            raise RuntimeError("the lake's catalog is not open yet")
        return self._catalog

    async def ready(self) -> bool:
        """Readiness: the catalog's tables exist and the object store's bucket answers."""
        if not self._opened.is_set():
            return False
        return await asyncio.to_thread(bucket_answers, self.settings.object_store, client=self._probe)

    async def _open(self) -> None:
        failures = 0
        while True:
            try:
                self._catalog = await asyncio.to_thread(self._open_blocking)
                self._opened.set()
                log.info("lake.catalog_opened", catalog=self.settings.lake.catalog)
                return
            except Exception as exc:  # the database or the object store is not up yet: retry
                failures += 1
                delay = RETRY.delay(failures)
                log.warning("lake.catalog_unavailable", error=safe_error(exc), retry_in=delay)
                await asyncio.sleep(delay)

    def _open_blocking(self) -> Catalog:
        catalog = open_catalog(self.settings)
        ensure_event_tables(catalog)
        self._probe = s3_client(self.settings.object_store, timeout=PROBE_TIMEOUT, attempts=1)
        return catalog
