"""The Kafka offsets an Iceberg table covers, kept in its snapshots' summaries.

Each append of the lake's sink records, in its snapshot's summary under `kafka.offsets`, the next offset to read
of every partition of the table's topic (JSON {"partition": offset}): everything before it is in the table. It is
cumulative (merged with the previous snapshot's), so the newest snapshot alone says where to resume, whichever
process wrote it. A commit is conditional on the snapshot it was computed from (Iceberg's optimistic
concurrency), so rows at offsets the table already covers are dropped before it: never appended twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

OFFSETS_PROPERTY = "kafka.offsets"
TOPIC_PROPERTY = "kafka.topic"

Offsets = dict[int, int]


def parse(value: str | None) -> Offsets:
    """{partition: next offset} from a summary's `kafka.offsets` (empty when absent)."""
    if not value:
        return {}
    return {int(partition): int(offset) for partition, offset in json.loads(value).items()}


def render(offsets: Mapping[int, int]) -> str:
    return json.dumps({str(partition): offsets[partition] for partition in sorted(offsets)}, separators=(",", ":"))


def merge(covered: Mapping[int, int], advanced: Mapping[int, int]) -> Offsets:
    """The positions after appending `advanced` on top of `covered` (a position never moves back)."""
    merged = dict(covered)
    for partition, offset in advanced.items():
        merged[partition] = max(offset, merged.get(partition, 0))
    return merged


def not_covered(positions: Iterable[tuple[int, int]], covered: Mapping[int, int]) -> list[bool]:
    """For each (partition, offset): whether the table does not hold it yet."""
    return [offset >= covered.get(partition, 0) for partition, offset in positions]


def latest(summaries: Iterable[Mapping[str, str]]) -> Offsets:
    """The offsets of the newest summary that has them (summaries newest first): a snapshot another writer made
    (a compaction) carries none, and the one before it still says where the sink was."""
    for summary in summaries:
        if OFFSETS_PROPERTY in summary:
            return parse(summary[OFFSETS_PROPERTY])
    return {}
