"""The reconciliation's pure rules: an executed payment read back from the lake's payload, totals per day and
currency compared to the cent, the offset windows a topic's counts are compared on, and the watermark that keeps an
in-flight batch from being a mismatch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from google.protobuf.json_format import MessageToJson
from hypothesis import given
from hypothesis import strategies as st

from services.lake.domain import reconciliation as r
from services.lake.domain.reconciliation import DayCurrency, Executed, PartitionWindow, Totals

T0 = datetime(2026, 12, 7, 23, 59, 59, 999_999, tzinfo=UTC)


def executed_payload(amount_minor: int, currency: str = "EUR", when: datetime = T0, debits: int = 1) -> str:
    """A PaymentExecuted as the sink stores it (proto3 JSON, proto field names, one line)."""
    event = ev.PaymentExecuted(payment_id="p", ledger_posting_id="l")
    share = amount_minor // debits
    for index in range(debits):
        part = share if index < debits - 1 else amount_minor - share * (debits - 1)
        event.ledger_entries.add(direction=le.LEDGER_ENTRY_DIRECTION_DEBIT, amount=Money(amount_minor=part,
                                 currency_code=currency))  # fmt: skip
    event.ledger_entries.add(direction=le.LEDGER_ENTRY_DIRECTION_CREDIT, amount=Money(amount_minor=amount_minor,
                             currency_code=currency))  # fmt: skip
    event.execute_time.FromDatetime(when)
    return MessageToJson(event, preserving_proto_field_name=True, indent=None)


def test_an_executed_payment_is_its_debits_in_its_currency_at_its_execution_time():
    assert r.executed_from_payload(executed_payload(123_45, "GBP")) == Executed(T0, "GBP", 123_45)
    assert r.executed_from_payload(executed_payload(1001, "EUR", debits=2)).amount_minor == 1001
    whole_second = T0.replace(microsecond=0)
    assert r.executed_from_payload(executed_payload(5, when=whole_second)).execute_time == whole_second


def test_a_payload_that_is_no_posting_is_refused():
    with pytest.raises(ValueError, match="without a debit"):
        r.executed_from_payload('{"ledger_entries": [], "execute_time": "2026-12-07T00:00:00Z"}')
    mixed = executed_payload(100).replace('"currency_code": "EUR"', '"currency_code": "USD"', 1)
    with pytest.raises(ValueError, match="more than one currency"):
        r.executed_from_payload(mixed.replace('"LEDGER_ENTRY_DIRECTION_CREDIT"', '"LEDGER_ENTRY_DIRECTION_DEBIT"'))


def test_totals_are_per_utc_day_and_currency_within_the_window():
    start, cutoff = datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, 0, 0, 1, tzinfo=UTC)
    executed = [
        Executed(start - timedelta(microseconds=1), "EUR", 7),  # before the window
        Executed(start, "EUR", 100),
        Executed(T0, "EUR", 250),
        Executed(T0, "USD", 1),
        Executed(cutoff - timedelta(microseconds=1), "EUR", 3),  # the next day
        Executed(cutoff, "EUR", 9),  # at the cutoff: not yet
    ]
    assert r.totals_by_day(executed, start, cutoff) == {
        DayCurrency(date(2026, 12, 7), "EUR"): Totals(2, 350),
        DayCurrency(date(2026, 12, 7), "USD"): Totals(1, 1),
        DayCurrency(date(2026, 12, 8), "EUR"): Totals(1, 3),
    }


def test_totals_match_to_the_cent_and_a_side_without_a_day_counts_zero():
    day = date(2026, 12, 7)
    eur, usd, jpy = DayCurrency(day, "EUR"), DayCurrency(day, "USD"), DayCurrency(day, "JPY")
    rows = r.compare_totals({eur: Totals(2, 10_000_01), jpy: Totals(1, 500)}, {eur: Totals(2, 10_000_01),
                            usd: Totals(1, 1)})  # fmt: skip
    assert [(row.check, row.key, row.lake_value, row.source_value, row.matched) for row in rows] == [
        ("executed_amount", "2026-12-07/EUR", "10000.01", "10000.01", True),
        ("executed_count", "2026-12-07/EUR", "2", "2", True),
        ("executed_amount", "2026-12-07/JPY", "500", "0", False),
        ("executed_count", "2026-12-07/JPY", "1", "0", False),
        ("executed_amount", "2026-12-07/USD", "0.00", "0.01", False),
        ("executed_count", "2026-12-07/USD", "0", "1", False),
    ]
    assert {row.source for row in rows} == {"ledger"}
    one_cent = r.compare_totals({eur: Totals(2, 10_000_01)}, {eur: Totals(2, 10_000_02)})
    assert [row.matched for row in one_cent] == [False, True]
    assert r.mismatches(rows) == {"executed_amount": 2, "executed_count": 2, "event_count": 0, "duplicate_records": 0}


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["EUR", "JPY", "BHD", "XTS"]))
def test_a_decimal_amount_is_exactly_its_minor_units(amount_minor: int, currency: str):
    shown = r.decimal_amount(amount_minor, currency)
    assert shown.scaleb(r.MINOR_UNITS.get(currency, 2)) == Decimal(amount_minor)
    assert -shown.as_tuple().exponent == r.MINOR_UNITS.get(currency, 2)


def test_counts_are_compared_within_what_kafka_retains_and_the_lake_covers():
    # Kafka retains partition 0 from offset 5 and partition 1 from 0; the lake covers up to 8 and 3, and not
    # partition 2 at all.
    found = r.windows({0: 5, 1: 0, 2: 4}, {0: 8, 1: 3})
    assert found == [PartitionWindow(0, 5, 8), PartitionWindow(1, 0, 3), PartitionWindow(2, 4, 4)]
    assert [w.span for w in found] == [3, 3, 0]
    rows = [(0, 4), (0, 5), (0, 7), (0, 8), (1, 0), (1, 2), (2, 3), (3, 0)]
    # (0, 4): no longer in Kafka; (0, 8): beyond the lake's snapshot (in flight); partitions 2, 3: outside.
    assert r.lake_count(rows, found) == 4
    assert r.event_count_row("t", 4, 6) == r.ReportRow("event_count", "t", "4", "kafka", "6", False)
    assert r.event_count_row("t", 6, 6).matched


def test_an_event_twice_in_the_lake_is_a_duplicate():
    assert r.duplicates_row("t", [(0, 1), (0, 2), (1, 1)]).matched
    twice = r.duplicates_row("t", [(0, 1), (0, 2), (0, 1), (0, 1)])
    assert (twice.check, twice.lake_value, twice.source_value, twice.matched) == ("duplicate_records", "2", "0", False)


def test_the_watermark_is_the_latest_sample_the_lake_covers():
    mark = r.Watermark(keep=3)
    assert mark.complete_at({0: 10}) is None
    t = [T0 + timedelta(seconds=s) for s in range(5)]
    mark.sample(t[0], {0: 5, 1: 2})
    mark.sample(t[1], {0: 7, 1: 2})
    mark.sample(t[2], {0: 9, 1: 4})
    assert mark.complete_at({0: 6, 1: 2}) == t[0]
    assert mark.complete_at({0: 8, 1: 9}) == t[1]
    assert mark.complete_at({0: 9}) is None  # partition 1 not covered at all
    assert mark.complete_at({0: 5, 1: 2}) is None  # t[0] was dropped once t[1] was known complete
    mark.sample(t[3], {0: 9, 1: 4})
    mark.sample(t[4], {0: 9, 1: 4})
    assert [at for at, _ in mark.samples] == t[2:]  # bounded
    assert mark.complete_at({0: 9, 1: 4}) == t[4]


def test_amounts_wait_for_a_watermark_and_leave_a_grace_for_the_outbox():
    assert r.amount_cutoff(None, timedelta(seconds=5)) is None
    assert r.amount_cutoff(T0, timedelta(seconds=5)) == T0 - timedelta(seconds=5)
