"""The lake's reconciliation on the test mesh: after a burst of payments in two currencies, the lake's executed
payments match the ledger's to the cent per day and currency and its events match Kafka's records per topic; a
payment the ledger never booked, planted in the lake, is a report row with matched=false and a mismatch on the lake
service's gauge, which clears once the row is gone."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.table import Table

from services.lake.adapters import lake_reading, reconciliation_report
from services.lake.adapters.catalog import open_catalog
from services.lake.app.reconciliation import Report
from services.lake.domain.reconciliation import EXECUTED_EVENT, ReportRow
from services.runtime.config import Settings
from services.runtime.db import Database
from tests.payments.api import Bank, PaymentsApi, payment_request, release_if_held, verified_customer
from tests.payments.support import fund, funding_account
from tools.lake.reconcile import reconcile
from tools.mesh import Mesh

COMPONENTS = ("postgres", "kafka", "customer", "features", "risk", "payments", "object_store", "lake")
pytestmark = pytest.mark.mesh(*COMPONENTS)

TODAY = datetime.now(UTC).date()
PLANTED_CURRENCY = "XTS"  # ISO 4217's code for testing: no account is ever in it
# Other modules of a test session publish made-up payment events in EUR straight to Kafka (tests/features,
# tests/customer), which no ledger booked: the lake rightly differs from the ledger there. USD is this module's
# alone, so its amounts must match to the cent; Kafka's counts and the records held once must match everywhere.
MADE_UP_ELSEWHERE = {"EUR"}


def _ours(row: ReportRow) -> bool:
    """Whether a report row is one this module can vouch for (see MADE_UP_ELSEWHERE)."""
    return not (row.check in ("executed_amount", "executed_count") and row.key.split("/")[-1] in MADE_UP_ELSEWHERE)


def _usd_account(api: PaymentsApi, customer_id: str) -> str:
    request = pk.OpenAccountRequest(idempotency_key=str(uuid.uuid4()), customer_id=customer_id, currency_code="USD",
                                    account_type=a.ACCOUNT_TYPE_CURRENT)  # fmt: skip
    return api.call(api.accounts.OpenAccount, request).account.account_id


def _fund_usd(settings: Settings, account_ids: list[str], amount: int) -> None:
    async def run() -> None:
        database = Database.for_service("payments", settings)
        try:
            bank = await funding_account(database, "USD")
            for account_id in account_ids:
                await fund(database, bank, uuid.UUID(account_id), amount, "USD")
        finally:
            await database.dispose()

    asyncio.run(run())


@pytest.fixture(scope="module")
def burst(settings: Settings, mesh: Mesh) -> dict[str, int]:
    """Executed payments in EUR and USD with odd cents, between two customers: what they add to today's totals."""
    mesh.up(*COMPONENTS)  # module fixtures run before the marker's
    bank, api = Bank(settings), PaymentsApi(settings)
    customer_b, eur_b = bank.customer(amount=500_000)
    usd_b = _usd_account(api, customer_b)
    usd_a = _usd_account(api, verified_customer(settings))
    _fund_usd(settings, [usd_a], 500_000)
    # Three payments per payer (screening declines a payer's burst by velocity), none small (card testing).
    payers = [(bank.customer(amount=500_000)[1], eur_b, "EUR") for _ in range(3)] + [(usd_a, usd_b, "USD")]
    executed: dict[str, int] = defaultdict(int)
    for index in range(12):
        debtor, creditor, currency = payers[index // 3]
        amount = 25_01 + index * 37
        request = payment_request(debtor, creditor, amount)
        request.amount.CopyFrom(Money(amount_minor=amount, currency_code=currency))
        paid = release_if_held(api, api.call(api.payments.InitiatePayment, request).payment)
        assert paid.state == p.PAYMENT_STATE_EXECUTED, paid
        executed[currency] += amount
    return dict(executed)


def _run(settings: Settings) -> Report:
    return asyncio.run(reconcile(settings))


def test_the_lake_matches_the_ledger_to_the_cent_and_kafka_per_topic(settings: Settings, burst: dict[str, int]):
    report = _run(settings)

    wrong = [row for row in report.rows if _ours(row) and not row.matched]
    assert wrong == [], "\n".join(map(str, wrong))
    rows = {(row.check, row.key): row for row in report.rows}
    for currency, amount in burst.items():
        row = rows[("executed_amount", f"{TODAY.isoformat()}/{currency}")]
        assert row.lake_value == row.source_value or currency in MADE_UP_ELSEWHERE  # to the cent: "123.45"
        assert int(row.lake_value.replace(".", "")) >= amount  # this burst is in it (other tests' payments too)
    topics = {row.key for row in report.rows if row.check == "event_count"}
    assert topics == {f"fintech.{d}.events.v1" for d in ("customer", "payments", "risk", "ml", "features")}
    payments_events = rows[("event_count", "fintech.payments.events.v1")]
    assert int(payments_events.lake_value) > 0 and payments_events.lake_value == payments_events.source_value
    assert all(rows[("duplicate_records", topic)].lake_value == "0" for topic in topics)

    # The run is appended to governance.reconciliation, row for row.
    catalog = open_catalog(settings)
    stored = reconciliation_report.report_table(catalog).scan(row_filter=f"run_id = '{report.run_id}'").to_arrow()
    assert stored.num_rows == len(report.rows)
    assert sorted(stored.column("key").to_pylist()) == sorted(row.key for row in report.rows)


def _metrics(settings: Settings) -> dict[str, float]:
    url = f"http://127.0.0.1:{settings.service('lake').metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as reply:
        text = reply.read().decode()
    return {f"{m[2]}{{{m[3]}}}": float(m[4]) for m in re.finditer(r"^(lake_reconciliation_(\w+))\{([^}]*)\} (\S+)$",
                                                                    text, re.M)}  # fmt: skip


def _mismatches(settings: Settings, check: str) -> float | None:
    return _metrics(settings).get(f'mismatches{{check="{check}"}}')


def _wait_for(predicate, what: str, patience: float = 90.0) -> None:
    deadline = time.monotonic() + patience
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {patience:.0f} s"
        time.sleep(1.0)


def _commit_keeping_offsets(table: Table, change) -> None:
    """A change to the sink's table that keeps the offsets its latest snapshot covers (the sink resumes from them)."""
    for _ in range(10):
        table.refresh()
        covering = lake_reading.covering_snapshot(table)
        properties = (
            {lake_reading.OFFSETS_PROPERTY: covering.summary[lake_reading.OFFSETS_PROPERTY]} if covering else {}
        )
        try:
            change(table, properties)
            return
        except CommitFailedException:  # the sink appended meanwhile
            time.sleep(0.5)
    raise AssertionError("the lake's payments table kept changing")


def test_a_payment_the_ledger_never_booked_is_a_mismatch_until_it_is_gone(settings: Settings, burst: dict[str, int]):
    table = lake_reading.events_table(open_catalog(settings), "payments")
    when = datetime.now(UTC) - timedelta(minutes=1)  # before any cutoff the service's next run uses
    event_id = str(uuid.uuid4())
    payload = {"payment_id": str(uuid.uuid4()), "ledger_posting_id": str(uuid.uuid4()), "execute_time":
               when.isoformat().replace("+00:00", "Z"), "ledger_entries": [
                   {"direction": "LEDGER_ENTRY_DIRECTION_DEBIT", "amount": {"amount_minor": "1", "currency_code":
                    PLANTED_CURRENCY}}]}  # fmt: skip
    planted = pa.Table.from_pylist(
        [{"event_id": event_id, "event_type": EXECUTED_EVENT, "aggregate_type": "payment", "subject":
          payload["payment_id"], "sequence": 9, "occur_time": when, "source": "planted-by-a-test", "correlation_id":
          "", "causation_id": "", "kafka_partition": -1, "kafka_offset": -1, "payload": json.dumps(payload)}],
        schema=table.schema().as_arrow(),
    )  # fmt: skip
    _commit_keeping_offsets(table, lambda t, props: t.append(planted, snapshot_properties=props))
    try:
        # A run by hand reports it ...
        report = _run(settings)
        key = f"{when.date().isoformat()}/{PLANTED_CURRENCY}"
        wrong = [row for row in report.rows if not row.matched and row.key == key]
        assert [(row.check, row.key, row.lake_value, row.source_value) for row in wrong] == [
            ("executed_amount", key, "0.01", "0.00"),
            ("executed_count", key, "1", "0"),
        ]
        # ... and so does the lake service's own, in its report and on its gauge.
        _wait_for(lambda: False in (_service_runs_since(settings, when, key) or []), "the lake service's report")
        _wait_for(lambda: (_mismatches(settings, "executed_amount") or 0) > 0, "mismatch on the lake's gauge")
    finally:
        _commit_keeping_offsets(table, lambda t, props: t.delete(f"event_id = '{event_id}'", snapshot_properties=props))
    deleted = datetime.now(UTC)
    _wait_for(lambda: _service_runs_since(settings, deleted, key) == [], "a run of the lake service without it")


def _service_runs_since(settings: Settings, since: datetime, key: str) -> list[bool] | None:
    """The `matched` of `key`'s rows in the lake service's runs that started after `since`; None: no run yet."""
    rows = reconciliation_report.report_table(open_catalog(settings)).scan().to_arrow().to_pylist()
    later = [row for row in rows if row["run_time"] > since]
    return None if not later else [row["matched"] for row in later if row["key"] == key]
    assert _metrics(settings)['last_run_timestamp_seconds{check="event_count"}'] > time.time() - 120
