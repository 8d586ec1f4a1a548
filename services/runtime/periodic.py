"""A background loop that runs beside a service's servicers: started after the migrations, stopped
before the database closes (pass it among `domain_service(..., background=[...])`).

A subclass implements `tick()`, one round of work; it runs again at once while it reports more work,
else after `idle()` (by default `interval` seconds, or until `wake()`: work was just recorded here). A
round that raises (the database is away) goes to `failed()` (by default logged) and is retried after a
growing backoff: the loop never dies of it.
`closing()` runs when the loop ends. The outbox relay is one (it idles until a commit wakes it).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib

import structlog

from services.runtime.backoff import Backoff
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)
FAILURE_BACKOFF = Backoff(initial=0.5, maximum=10.0)


class PeriodicTask(abc.ABC):
    def __init__(self, name: str, interval: float, failure_backoff: Backoff = FAILURE_BACKOFF):
        self.name = name
        self.interval = interval
        self.failure_backoff = failure_backoff
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @abc.abstractmethod
    async def tick(self) -> bool:
        """One round of work; True when more may be waiting (the next round starts at once)."""

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._woken.clear()
            self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        """Finish the round in hand and stop."""
        self._stopping.set()
        self._woken.set()
        if self._task is not None:
            await self._task
            self._task = None

    def wake(self) -> None:
        """Start the next round now rather than after `interval`: new work was just committed in this process."""
        self._woken.set()

    async def idle(self) -> None:
        """Between rounds when the last one found no more work: `interval` seconds (or until woken or stopped)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), self.interval)
        self._woken.clear()

    async def failed(self, error: Exception) -> None:
        """After a round raised `error`, before the backoff; logs it."""
        log.warning("periodic task failed", task=self.name, error=safe_error(error))

    async def closing(self) -> None:  # noqa: B027 (a hook: nothing to release by default)
        """When the loop ends: release what the rounds held."""

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less when stop is asked for."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    busy = await self.tick()
                    failures = 0
                except Exception as error:
                    failures += 1
                    await self.failed(error)
                    await self.pause(self.failure_backoff.delay(failures))
                    continue
                if not busy:
                    await self.idle()
        finally:
            await self.closing()
