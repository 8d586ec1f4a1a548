"""The console assembled: the feed, what fills it (the aggregate topics, the SLO reader) and the web server that
shows it. No database and no gRPC API of its own: its gRPC port serves health (and reflection) only, SERVING
once the view has caught up with the aggregate topics and the web server listens."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Gauge

from services.console.adapters.aggregate_topics import AggregateTopics
from services.console.adapters.slo import SloReader
from services.console.app.feed import Feed
from services.console.entrypoints.web import Console
from services.runtime.app import Background
from services.runtime.config import get_settings
from services.runtime.server import Service

VIEWERS = Gauge("console_viewers", "Browsers following the console's event stream")


def build() -> Service:
    settings = get_settings()
    feed = Feed(timedelta(minutes=settings.console.history_minutes))
    VIEWERS.set_function(lambda: feed.viewers)
    topics = AggregateTopics(feed, settings)
    parts: list[Background] = [topics, SloReader(feed, settings), Console(feed, settings)]
    return Service(
        name="console",
        servicers=[],
        readiness={"aggregates": topics.ready},
        startup=[part.start for part in parts],
        shutdown=[part.stop for part in reversed(parts)],
    )
