"""The live feed: the view and the SLO panel, and every viewer's stream of what changed in the panels they may see.

A viewer gets a snapshot first, then each batch of changes (one per Kafka poll, so a burst is one message, not
hundreds). A viewer too slow to keep up (its queue full) is dropped rather than slowing the others or growing without
bound: its browser reconnects (EventSource does) and starts again from a fresh snapshot, so it misses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.console.domain.panels import Panel
from services.console.domain.view import BadAggregate, Change, View

QUEUE_LIMIT = 256
Message = tuple[str, Any]  # (event name, JSON-able data)


@dataclass(eq=False)
class _Viewer:
    panels: frozenset[Panel]
    queue: asyncio.Queue[Message | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))


class Feed:
    def __init__(self, history: timedelta) -> None:
        self.view = View(history)
        self.slo: dict[str, Any] = {"rpcs": [], "error": "not read yet"}
        self._viewers: set[_Viewer] = set()

    @property
    def viewers(self) -> int:
        return len(self._viewers)

    def apply(
        self, records: Iterable[tuple[str, str, bytes | None]], now: datetime | None = None
    ) -> tuple[list[Change], list[tuple[str, str]]]:
        """One poll's records (topic, key, value) into the view, then to every viewer who may see them.
        Returns the changes and the (topic, key) of records that are not their topic's message (skipped)."""
        now = now or datetime.now(UTC)
        changes, bad = [], []
        for topic, key, value in records:
            try:
                change = self.view.apply(topic, key, value, now)
            except BadAggregate:
                bad.append((topic, key))
                continue
            if change is not None:
                changes.append(change)
        changes += self.view.expire(now)
        self._publish_changes(changes)
        return changes, bad

    def set_slo(self, slo: dict[str, Any]) -> None:
        self.slo = slo
        self._publish(lambda viewer: ("slo", slo) if Panel.SLO in viewer.panels else None)

    def snapshot(self, panels: frozenset[Panel]) -> dict[str, Any]:
        data: dict[str, Any] = {"panels": sorted(p.value for p in panels), "view": self.view.snapshot(panels)}
        if Panel.SLO in panels:
            data["slo"] = self.slo
        return data

    async def follow(self, panels: frozenset[Panel]) -> AsyncGenerator[Message, None]:
        """The snapshot, then every change the viewer may see, until the viewer is dropped (too slow)."""
        viewer = _Viewer(panels)
        self._viewers.add(viewer)
        try:
            yield "snapshot", self.snapshot(panels)
            while (message := await viewer.queue.get()) is not None:
                yield message
        finally:
            self._viewers.discard(viewer)

    def _publish_changes(self, changes: list[Change]) -> None:
        if not changes:
            return

        def visible(viewer: _Viewer) -> Message | None:
            mine = [change.as_json() for change in changes if change.panel in viewer.panels]
            return ("update", mine) if mine else None

        self._publish(visible)

    def _publish(self, message_for: Any) -> None:
        for viewer in list(self._viewers):
            message = message_for(viewer)
            if message is None:
                continue
            try:
                viewer.queue.put_nowait(message)
            except asyncio.QueueFull:
                self._drop(viewer)

    def _drop(self, viewer: _Viewer) -> None:
        self._viewers.discard(viewer)
        while not viewer.queue.empty():
            viewer.queue.get_nowait()
        viewer.queue.put_nowait(None)
