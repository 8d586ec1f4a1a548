"""The payments service's events in the outbox: their source, and the subscribable ones."""

from __future__ import annotations

from services.runtime.config import get_settings
from services.runtime.outbox import default_registry

SUBSCRIBABLE_AGGREGATES = ("payment", "account")


def source() -> str:
    """The CloudEvents source of every event payments writes (its workload identity)."""
    return get_settings().spiffe_id("payments")


def subscribable_event_types() -> frozenset[str]:
    """The payments events a customer may subscribe to: those of payments and accounts."""
    return frozenset(
        t.full_name
        for t in default_registry()
        if t.full_name.startswith("fintech.payments.v1.") and t.aggregate_type in SUBSCRIBABLE_AGGREGATES
    )
