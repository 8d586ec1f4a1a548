"""The accounts' ledger entries of a day, read from the lake (`events.payments`, pyiceberg in a worker thread).

Every booking is a LedgerPosted event with its entries (payments, deposits, settlements alike), each entry with
the account's balance after it; the EndToEndId of a payment comes from its PaymentInitiated event (stored as it
was sent: it is not personal data, unlike the remittance information, which stays sealed).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from google.protobuf import json_format
from pyiceberg.catalog import Catalog

from libs.iso20022.camt053 import Entry, Statement, day_bounds
from services.lake.adapters.catalog import table_name

POSTED = ev.LedgerPosted.DESCRIPTOR.full_name
INITIATED = ev.PaymentInitiated.DESCRIPTOR.full_name
# Events are stored in the day they occurred; a booking's event is written in the same transaction, so a
# margin of a minute on each side finds every entry booked on the day.
MARGIN = timedelta(minutes=1)


class LakeLedgerHistory:
    def __init__(self, open_catalog: Callable[[], Catalog]) -> None:
        self._open_catalog = open_catalog  # opened on first use, in the worker thread: it connects to the database
        self._catalog: Catalog | None = None

    async def statements(self, day: date, account_id: str | None = None) -> list[Statement]:
        return await asyncio.to_thread(self._statements, day, account_id)

    def _statements(self, day: date, account_id: str | None) -> list[Statement]:
        start, end = day_bounds(day)
        rows = self._scan(
            f"event_type = {_quoted(POSTED)} AND occur_time >= {_quoted(_iso(start - MARGIN))} "
            f"AND occur_time < {_quoted(_iso(end + MARGIN))}"
        )
        entries: dict[str, le.LedgerEntry] = {}
        for row in rows:
            posted = json_format.Parse(row["payload"], ev.LedgerPosted(), ignore_unknown_fields=True)
            for entry in posted.ledger_entries:
                booked = entry.booking_time.ToDatetime(tzinfo=UTC)
                if start <= booked < end and (account_id is None or entry.account_id == account_id):
                    entries[entry.ledger_entry_id] = entry  # an event delivered twice is one entry
        e2e = self._end_to_end_ids({entry.payment_id for entry in entries.values() if entry.payment_id})
        by_account: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for entry in entries.values():
            by_account[(entry.account_id, entry.amount.currency_code)].append(_entry(entry, e2e))
        return [Statement(account, currency, day, items) for (account, currency), items in sorted(by_account.items())]

    def _end_to_end_ids(self, payment_ids: set[str]) -> dict[str, str]:
        if not payment_ids:
            return {}
        subjects = ", ".join(_quoted(payment_id) for payment_id in sorted(payment_ids))
        rows = self._scan(f"event_type = {_quoted(INITIATED)} AND subject IN ({subjects})")
        found = {}
        for row in rows:
            initiated = json_format.Parse(row["payload"], ev.PaymentInitiated(), ignore_unknown_fields=True)
            found[initiated.payment_id] = initiated.end_to_end_id
        return found

    def _scan(self, row_filter: str) -> list[dict[str, Any]]:
        """The payloads of the rows `row_filter` (pyiceberg's SQL-like filter syntax) selects."""
        if self._catalog is None:
            self._catalog = self._open_catalog()
        table = self._catalog.load_table(table_name("payments"))  # loaded afresh: the newest snapshot
        result: list[dict[str, Any]] = (
            table.scan(row_filter=row_filter, selected_fields=("payload",)).to_arrow().to_pylist()
        )
        return result


def _entry(entry: le.LedgerEntry, end_to_end_ids: dict[str, str]) -> Entry:
    return Entry(
        entry_id=entry.ledger_entry_id,
        sequence=entry.entry_sequence,
        credit=entry.direction == le.LEDGER_ENTRY_DIRECTION_CREDIT,
        amount_minor=entry.amount.amount_minor,
        balance_after_minor=entry.balance_after.amount_minor,
        booking_time=entry.booking_time.ToDatetime(tzinfo=UTC),
        payment_id=entry.payment_id,
        end_to_end_id=end_to_end_ids.get(entry.payment_id, ""),
        description=entry.description,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _quoted(text: str) -> str:
    """A string literal of pyiceberg's filter syntax."""
    return "'" + text.replace("'", "''") + "'"
