"""The analytics section of mesh.toml (services/analytics, the stream processor of the real-time aggregates)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AnalyticsSettings(BaseModel):
    # Each commit is one Kafka transaction: the aggregates it wrote, the state changelog and the input offsets
    # become visible together. Readers (read_committed) see an update within about two of these (the changes cross
    # one repartition topic) plus two fetches: at 0.5 s (and 1 s polls) the console's "within 2 s" was missed.
    commit_interval_seconds: float = Field(default=0.2, gt=0)
    # The processor's consumer group and transactional id prefix.
    consumer_group: str = "analytics"
    # RocksDB state; empty: <mesh state_dir>/analytics. Losing it loses nothing: it is restored from the changelog
    # topics.
    state_dir: str = ""
