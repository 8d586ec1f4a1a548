"""The analytics service assembled: the stream processor of the real-time aggregates (adapters/processor.py) as a
background part. It has no gRPC API of its own: it serves health (and reflection) only, SERVING while its
database, Kafka and the processor run."""

from __future__ import annotations

from services.analytics.adapters.processor import StreamProcessor
from services.runtime.app import domain_service
from services.runtime.config import get_settings
from services.runtime.server import Service


def build() -> Service:
    settings = get_settings()
    processor = StreamProcessor(settings)
    service = domain_service("analytics", settings=settings, background=[processor])
    service.readiness["processor"] = processor.ready
    return service
