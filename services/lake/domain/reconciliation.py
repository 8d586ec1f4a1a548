"""Reconciliation of the lake, pure: what the lake holds against its sources, as report rows.

Two checks, each a row per key:
- `executed_amount` and `executed_count`, per booking day (UTC) and currency: the PaymentExecuted events in
  `events.payments` against the ledger's totals (minor units, so exact to the cent; shown as decimals);
- `event_count`, per topic: the lake's rows against Kafka's records, both within the offsets the lake's latest
  snapshot covers (an in-flight batch is no mismatch) and from the oldest offset Kafka still retains (retention
  deletes what the lake keeps). Kafka's side is the offsets' span minus what is no event the lake should hold:
  the records the sink dead-lettered and, when the span has gaps (transaction markers, compaction), the records
  actually read.
- `duplicate_records`, per topic: rows sharing a Kafka partition and offset (a sink that wrote a record twice);
  the source value is 0. An event a relay published twice is two records, at two offsets: both are in the lake,
  as on Kafka, and readers count it once by its event id (as the amounts below do).

Amounts are compared only for events executed before a cutoff by which the lake is known to be complete: a
moment when Kafka's end offsets were within what the lake covers (see `Watermark`), less a grace for events still
in the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

EXECUTED_EVENT = "fintech.payments.v1.PaymentExecuted"
DEBIT = "LEDGER_ENTRY_DIRECTION_DEBIT"
# ISO 4217 minor units that are not 2 (for display only: amounts are compared in minor units).
MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "CLF": 4, "UYW": 4,
}  # fmt: skip

AMOUNT, COUNT, EVENTS, DUPLICATES = "executed_amount", "executed_count", "event_count", "duplicate_records"
CHECKS = (AMOUNT, COUNT, EVENTS, DUPLICATES)
LEDGER, KAFKA, LAKE = "ledger", "kafka", "lake"


def decimal_amount(amount_minor: int, currency_code: str) -> Decimal:
    """Minor units as the currency's decimal amount: 12345 EUR -> 123.45, exactly."""
    return Decimal(amount_minor).scaleb(-MINOR_UNITS.get(currency_code, 2))


@dataclass(frozen=True)
class DayCurrency:
    day: date
    currency_code: str

    def __str__(self) -> str:
        return f"{self.day.isoformat()}/{self.currency_code}"


@dataclass
class Totals:
    """Executed payments of one day and currency: how many and their sum in minor units."""

    count: int = 0
    amount_minor: int = 0


@dataclass(frozen=True)
class ReportRow:
    check: str
    key: str
    lake_value: str
    source: str
    source_value: str
    matched: bool


@dataclass(frozen=True)
class Executed:
    """One PaymentExecuted as the lake holds it: when, in what currency, how much (its debits' sum)."""

    execute_time: datetime
    currency_code: str
    amount_minor: int


def executed_from_payload(payload: str) -> Executed:
    """A PaymentExecuted's payload (proto3 JSON, field names as in the .proto) as what the ledger booked. int64 is a
    JSON string in proto3 JSON; an unset (zero) field is absent."""
    event = json.loads(payload)
    debits = [entry for entry in event["ledger_entries"] if entry.get("direction") == DEBIT]
    if not debits:
        raise ValueError("an executed payment's posting without a debit")
    currencies = {entry["amount"]["currency_code"] for entry in debits}
    if len(currencies) != 1:
        raise ValueError("an executed payment's posting in more than one currency")
    amount = sum(int(entry["amount"].get("amount_minor", "0")) for entry in debits)
    return Executed(_timestamp(event["execute_time"]), currencies.pop(), amount)


def _timestamp(text: str) -> datetime:
    # proto3 JSON timestamps are RFC 3339 in UTC with a Z and 0, 3, 6 or 9 fractional digits.
    whole, _, rest = text.rstrip("Z").partition(".")
    micros = (rest + "000000")[:6] if rest else "0"
    return datetime.fromisoformat(whole + "+00:00").replace(microsecond=int(micros))


def totals_by_day(executed: Iterable[Executed], start: datetime, cutoff: datetime) -> dict[DayCurrency, Totals]:
    """The executed payments in [start, cutoff) per UTC day and currency."""
    totals: dict[DayCurrency, Totals] = {}
    for payment in executed:
        if start <= payment.execute_time < cutoff:
            found = totals.setdefault(DayCurrency(payment.execute_time.date(), payment.currency_code), Totals())
            found.count += 1
            found.amount_minor += payment.amount_minor
    return totals


def compare_totals(lake: Mapping[DayCurrency, Totals], ledger: Mapping[DayCurrency, Totals]) -> list[ReportRow]:
    """Two rows (amount, count) per day and currency either side has; a side without it counts zero."""
    rows = []
    for key in sorted(set(lake) | set(ledger), key=lambda k: (k.day, k.currency_code)):
        ours, theirs = lake.get(key, Totals()), ledger.get(key, Totals())
        rows.append(ReportRow(
            AMOUNT, str(key), str(decimal_amount(ours.amount_minor, key.currency_code)), LEDGER,
            str(decimal_amount(theirs.amount_minor, key.currency_code)), ours.amount_minor == theirs.amount_minor,
        ))  # fmt: skip
        rows.append(ReportRow(COUNT, str(key), str(ours.count), LEDGER, str(theirs.count), ours.count == theirs.count))
    return rows


@dataclass(frozen=True)
class PartitionWindow:
    """The offsets of one partition both sides are compared on: [start, end), where start is the oldest offset Kafka
    retains and end the next offset the lake's latest snapshot covers."""

    partition: int
    start: int
    end: int

    @property
    def span(self) -> int:
        return max(0, self.end - self.start)

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end


def windows(retained_start: Mapping[int, int], covered: Mapping[int, int]) -> list[PartitionWindow]:
    """One window per partition Kafka has: from its oldest retained offset up to what the lake covers (nothing
    when the lake covers none of it yet)."""
    return [
        PartitionWindow(partition, start, max(start, covered.get(partition, 0)))
        for partition, start in sorted(retained_start.items())
    ]


def lake_count(offsets: Iterable[tuple[int, int]], partition_windows: Iterable[PartitionWindow]) -> int:
    """The lake's rows (partition, offset) inside the windows."""
    by_partition = {w.partition: w for w in partition_windows}
    return sum(1 for partition, offset in offsets if (w := by_partition.get(partition)) and w.holds(offset))


def event_count_row(topic: str, lake: int, kafka: int) -> ReportRow:
    return ReportRow(EVENTS, topic, str(lake), KAFKA, str(kafka), lake == kafka)


def duplicates_row(topic: str, records: Iterable[tuple[int, int]]) -> ReportRow:
    """Rows whose (partition, offset) another row has too: zero in a lake that holds every record once."""
    held = list(records)
    extra = len(held) - len(set(held))
    return ReportRow(DUPLICATES, topic, str(extra), LAKE, "0", extra == 0)


def mismatches(rows: Iterable[ReportRow]) -> dict[str, int]:
    """Unmatched rows per check, every check named (0 when all matched)."""
    counts = dict.fromkeys(CHECKS, 0)
    for row in rows:
        counts[row.check] += 0 if row.matched else 1
    return counts


@dataclass
class Watermark:
    """When the lake was last known complete: samples of Kafka's end offsets, each with the time it was read; the
    latest sample the lake's covered offsets reach is a moment before which every published event is in the lake.

    Kept in memory by the periodic run (a restart needs one tick with the lake caught up, or two), bounded."""

    keep: int = 64
    samples: list[tuple[datetime, dict[int, int]]] = field(default_factory=list)

    def sample(self, at: datetime, end_offsets: Mapping[int, int]) -> None:
        self.samples.append((at, dict(end_offsets)))
        del self.samples[: -self.keep]

    def complete_at(self, covered: Mapping[int, int]) -> datetime | None:
        """The latest sampled time whose end offsets the lake covers on every partition; None: none yet. Samples
        older than it are dropped: they can never be needed again."""
        for index in range(len(self.samples) - 1, -1, -1):
            at, ends = self.samples[index]
            if all(covered.get(partition, 0) >= end for partition, end in ends.items()):
                del self.samples[:index]
                return at
        return None


def amount_cutoff(complete: datetime | None, grace: timedelta) -> datetime | None:
    """The cutoff of the amount check: when the payments topic was last known complete in the lake, less the grace
    an event may still spend in the payments outbox; None when it never was (the check waits)."""
    return None if complete is None else complete - grace
