"""The Spark jobs over the real lake after a burst of payments through the payments service.

The lake sink writes every event of the burst into events.payments and events.risk; once the payer's last ledger
entry is there, `python -m jobs all` runs (the lake's own namespaces). Each result equals the direct computation
over the snapshots its run read, the burst is in them, and the payer's large-exposure row is what the payments
service itself says the payer owes (its overdrawn ledger balance).
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import grpc
import pytest
from fintech.payments.v1 import payment_pb2 as p
from pyiceberg.catalog import Catalog

from services.runtime.config import ROOT, Settings
from tests.jobs import expectations
from tests.jobs.lake import job_run, read_inputs, read_output, run_jobs
from tests.payments.api import Bank, PaymentsApi, payment_request, release_if_held
from tools.mesh import Mesh

COMPONENTS = ("postgres", "kafka", "customer", "features", "risk", "payments", "object_store", "lake")
pytestmark = pytest.mark.mesh(*COMPONENTS)

# The sink appends every [lake] flush_seconds (10 s): the tables catch up within a few of them.
CATCH_UP = 120.0
# Fewer payments than risk's velocity rule declines within a minute (8), more than the payer's funds.
FUNDS, OVERDRAFT, AMOUNT, PAYMENTS = 1_000_00, 5_000_00, 300_00, 6


def lake_entries(catalog: Catalog, account_id: str) -> int:
    """The highest entry_sequence of the account's ledger entries in events.payments (0: none yet)."""
    rows = catalog.load_table("events.payments").scan(selected_fields=("event_type", "payload")).to_arrow()
    highest = 0
    for row in rows.to_pylist():
        if row["event_type"] == "fintech.payments.v1.LedgerPosted":
            for entry in json.loads(row["payload"])["ledger_entries"]:
                if entry["account_id"] == account_id:
                    highest = max(highest, int(entry["entry_sequence"]))
    return highest


@pytest.fixture(scope="module")
def burst(mesh: Mesh, settings: Settings) -> dict[str, Any]:
    """A payer who pays past their funds (on-us and off-us, two channels) and what the service says of them."""
    mesh.up(*COMPONENTS)  # a module's fixture runs before the marker's components start
    from services.lake.adapters.catalog import open_catalog

    bank, api = Bank(settings), PaymentsApi(settings)
    payer, debtor = bank.customer(amount=FUNDS, overdraft=OVERDRAFT)
    _, creditor = bank.customer(amount=1_00)
    payments = []
    for n in range(PAYMENTS):
        channel = p.PAYMENT_CHANNEL_MOBILE_APP if n % 3 else p.PAYMENT_CHANNEL_WEB
        external = p.ExternalAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder_name="Jobs Payee")
        request = payment_request(debtor, external if n % 2 else creditor, AMOUNT)
        request.channel = channel
        try:
            payment = api.call(api.payments.InitiatePayment, request).payment
        except grpc.RpcError as error:  # screening declined it: a fraud outcome the lake records too
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
            continue
        payments.append(release_if_held(api, payment))
    account = api.balance(debtor).account
    catalog = open_catalog(settings)
    deadline = time.monotonic() + CATCH_UP
    while lake_entries(catalog, debtor) < account.last_entry_sequence:
        assert time.monotonic() < deadline, "the burst's ledger entries did not reach the lake"
        time.sleep(2)
    return {"catalog": catalog, "payer": payer, "account": account, "payments": payments}


@pytest.fixture(scope="module")
def runs(burst: dict[str, Any]) -> dict[str, dict[str, Any]]:
    run_ids = run_jobs("all")
    return {job: job_run(burst["catalog"], run_id) for job, run_id in run_ids.items()}


def test_volumes_count_the_burst_and_equal_a_direct_computation(burst: dict[str, Any], runs: dict[str, dict[str, Any]]):
    catalog = burst["catalog"]
    got = expectations.volumes_match(catalog, runs["daily_payment_volumes"])
    executed = {
        x.payment_id for x in burst["payments"] if x.state in (p.PAYMENT_STATE_EXECUTED, p.PAYMENT_STATE_SETTLED)
    }
    assert executed, [p.PaymentState.Name(x.state) for x in burst["payments"]]
    seen = {
        row["subject"]
        for row in read_inputs(catalog, runs["daily_payment_volumes"])["payments"]
        if row["event_type"] == "fintech.payments.v1.PaymentExecuted"
    }
    assert executed <= seen, "the run read the burst's executions"
    eur = sum(value for key, (_, value) in got.items() if key[1] == "EUR")
    assert eur >= AMOUNT * len(executed)


# The same volumes in plain SQL: DuckDB over the snapshot of events.payments the job read. An event id is one fact
# (a relay may publish an event twice: the lake keeps each Kafka record); proto3 JSON writes timestamps in UTC as
# RFC 3339, so the day is the first ten characters.
VOLUMES_SQL = """
WITH p AS (SELECT DISTINCT ON (event_id) event_type, payload::JSON AS e FROM iceberg_scan(?, snapshot_from_id = ?)),
initiated AS (
    SELECT e->>'$.payment_id' AS payment_id, e->>'$.amount.currency_code' AS currency,
           CAST(coalesce(e->>'$.amount.amount_minor', '0') AS BIGINT) AS amount_minor,
           coalesce(e->>'$.channel', 'PAYMENT_CHANNEL_UNSPECIFIED') AS channel,
           coalesce(e->>'$.creditor_account_id', '') <> '' AS on_us
    FROM p WHERE event_type = 'fintech.payments.v1.PaymentInitiated'),
executed AS (
    SELECT DISTINCT e->>'$.payment_id' AS payment_id, CAST(left(e->>'$.execute_time', 10) AS DATE) AS day
    FROM p WHERE event_type = 'fintech.payments.v1.PaymentExecuted')
SELECT day, currency, channel, on_us, count(*), sum(amount_minor)
FROM executed JOIN initiated USING (payment_id) GROUP BY ALL
"""


def test_volumes_equal_a_direct_sql_computation_in_duckdb(
    settings: Settings, burst: dict[str, Any], runs: dict[str, dict[str, Any]]
):
    from tools.lake.query import connect

    catalog, run = burst["catalog"], runs["daily_payment_volumes"]
    (source,) = [i for i in run["inputs"] if i["table_name"].endswith(".payments")]
    table = catalog.load_table(source["table_name"])
    connection = connect(settings, catalog)
    try:
        rows = connection.execute(VOLUMES_SQL, [table.metadata_location, source["snapshot_id"]]).fetchall()
    finally:
        connection.close()
    by_sql = {tuple(row[:4]): (row[4], int(row[5])) for row in rows}
    by_spark = {
        (r["day"], r["currency"], r["channel"], r["on_us"]): (r["payment_count"], r["value_minor"])
        for r in read_output(catalog, run)
    }
    assert by_sql and by_spark == by_sql


def test_the_payers_exposure_is_what_the_ledger_says_they_owe(
    settings: Settings, burst: dict[str, Any], runs: dict[str, dict[str, Any]]
):
    got = expectations.large_exposures_match(settings, burst["catalog"], runs["large_exposures"])
    owed = max(-burst["account"].ledger_balance.amount_minor, 0)
    assert owed > 0, "the payer paid past their funds"
    row = got[(burst["payer"], "EUR")]
    assert row["exposure_minor"] == owed and row["accounts"] == 1


def test_fraud_outcomes_equal_a_direct_computation_and_lineage_is_complete(
    burst: dict[str, Any], runs: dict[str, dict[str, Any]]
):
    catalog = burst["catalog"]
    expected = expectations.fraud_outcomes_match(catalog, runs["fraud_outcomes"])
    assert sum(row["evaluations"] for row in expected.values()) >= len(burst["payments"])
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    for job, run in runs.items():
        expectations.lineage_is_complete(catalog, job, run, head.stdout.strip())
