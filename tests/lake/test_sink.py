"""The lake sink against the real mesh: after payments, every event record of every domain topic is in its
Iceberg table exactly once; killed (SIGKILL) while events wait to be appended, and with Kafka's committed offsets
pushed past what the table holds, it resumes from the table's own offsets and still holds each record once; and no
file under the lake's warehouse holds a clear name, e-mail, document number or IBAN of the customers paid here."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.payments.v1 import payment_pb2 as p

from services.lake.adapters.catalog import DOMAINS, open_catalog, table_name, topic_of
from services.lake.domain import offsets
from services.runtime.config import Settings
from tests.customer.support import Api as CustomerApi
from tests.customer.support import new_customer, register, start_kyc
from tests.lake.support import compare, until
from tests.payments.api import Bank, PaymentsApi, release_if_held
from tools.mesh import Mesh, http_probe

COMPONENTS = ("postgres", "kafka", "customer", "features", "risk", "payments", "lake")
pytestmark = pytest.mark.mesh(*COMPONENTS)

# The sink appends every [lake] flush_seconds (10 s): a table catches up within a few of them.
CATCH_UP = 120.0


def _iban() -> str:
    return "DE" + "".join(str(b % 10) for b in uuid.uuid4().bytes[:20])


def _customer(settings: Settings) -> tuple[str, dict[str, str]]:
    """A verified customer and the personal values they were registered with."""
    api = CustomerApi(settings)
    customer = register(api, new_customer())
    start_kyc(api, customer.customer_id)
    needles = {
        "family name": customer.family_name,
        "e-mail": customer.email,
        "document number": customer.identity_document.document_number,
        "street": customer.residential_address.address_lines[0],
    }
    return customer.customer_id, needles


def _burst(settings: Settings, count: int) -> dict[str, str]:
    """`count` payments, three per payer (screening declines a payer's burst by velocity), every other one off-us
    to a named IBAN holder; returns the personal values involved."""
    bank, api = Bank(settings), PaymentsApi(settings)
    payee, needles = _customer(settings)
    needles = {f"payee {k}": v for k, v in needles.items()}
    creditor = api.open_account(payee).account_id
    holder = f"Holder{uuid.uuid4().hex[:8]} Beispiel"
    iban = _iban()
    debtor = ""
    for n in range(count):
        if n % 3 == 0:
            payer, payer_needles = _customer(settings)
            needles |= {f"payer {n // 3} {k}": v for k, v in payer_needles.items()}
            debtor = api.open_account(payer).account_id
            bank.fund(debtor, 10_000_00)
        if n % 2:
            external = p.ExternalAccount(iban=iban, bic="DEUTDEFFXXX", holder_name=holder)
            payment = api.pay(debtor, external, 25_00 + n)
        else:
            payment = api.pay(debtor, creditor, 25_00 + n)
        release_if_held(api, payment)
    return needles | {"IBAN": iban, "holder name": holder}


@pytest.fixture(scope="module")
def needles(mesh: Mesh, settings: Settings) -> dict[str, str]:
    mesh.up(*COMPONENTS)  # a module's fixture runs before the marker's components start
    return _burst(settings, 12)


def test_every_event_of_every_topic_is_in_the_lake_exactly_once(settings: Settings, needles: dict[str, str]) -> None:
    for domain in DOMAINS:
        result = until(lambda d=domain: (c := compare(settings, d)).exact and c, CATCH_UP) or compare(settings, domain)
        assert result.exact, (domain, sorted(result.missing)[:5], sorted(result.extra)[:5], result.repeated)
    payments = compare(settings, "payments")
    assert len(payments.kafka) >= 12, "the burst's payment events are on the topic"


def _push_kafka_offsets_to_the_end(settings: Settings, domain: str) -> None:
    """Commit, as the sink's consumer group, the end of every partition: Kafka then believes it has read
    everything, which the table does not hold yet."""

    async def run() -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers, group_id=f"lake-{domain}", enable_auto_commit=False
        )
        await consumer.start()
        try:
            topic = topic_of(domain)
            await consumer._client.force_metadata_update()  # noqa: SLF001 (no subscription: load the topic's)
            partitions = [TopicPartition(topic, n) for n in sorted(consumer.partitions_for_topic(topic) or ())]
            assert partitions
            consumer.assign(partitions)
            await consumer.commit(await consumer.end_offsets(partitions))
        finally:
            await consumer.stop()

    asyncio.run(run())


def _lake_has_read_everything(settings: Settings, domain: str) -> bool:
    """The sink's consumer lag (set after each poll) is 0 on every partition it reports: it has read the topic,
    whether or not it has appended it yet."""
    port = settings.service("lake").metrics_port
    status, body = http_probe.get(f"http://127.0.0.1:{port}/metrics")
    lags = [
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("kafka_consumer_lag_records{") and f'consumer_group="lake-{domain}"' in line
    ]
    return status == 200 and bool(lags) and not any(lags)


def test_a_sink_killed_while_events_wait_resumes_from_the_tables_offsets(mesh: Mesh, settings: Settings) -> None:
    mesh.stop("lake")
    try:
        _burst(settings, 8)
        _push_kafka_offsets_to_the_end(settings, "payments")
    finally:
        mesh.start("lake")
    # Killed once it has read the burst (an append waits up to flush_seconds), before it appended it.
    assert until(lambda: _lake_has_read_everything(settings, "payments"), 30, interval=0.2)
    os.kill(mesh.supervisor.processes()["lake"]["pid"], signal.SIGKILL)
    assert compare(settings, "payments").missing, "killed before its append: the table lacks the burst"
    mesh.start("lake")  # supervisord restarts it too; this waits until it is ready again
    result = until(lambda: (c := compare(settings, "payments")).exact and c, CATCH_UP) or compare(settings, "payments")
    assert result.exact, (sorted(result.missing)[:5], sorted(result.extra)[:5], result.repeated)
    # The table's newest snapshot says it covers exactly up to the end of Kafka's records.
    table = open_catalog(settings).load_table(table_name("payments"))
    covered = offsets.parse(table.current_snapshot().summary.additional_properties[offsets.OFFSETS_PROPERTY])
    ends: dict[int, int] = {}
    for partition, offset, _ in result.kafka:
        ends[partition] = max(ends.get(partition, 0), offset + 1)
    assert {partition: covered.get(partition) for partition in ends} == ends


def _decoded_parquet(path: Path) -> bytes:
    """A Parquet file's values as text (its pages are compressed: raw bytes would hide a clear value)."""
    return json.dumps(pq.read_table(io.BytesIO(path.read_bytes())).to_pylist(), default=str).encode()


def test_no_file_of_the_lake_holds_clear_personal_data(settings: Settings, needles: dict[str, str]) -> None:
    warehouse = settings.state_dir / "object_store" / "data" / settings.object_store.bucket / "warehouse"
    until(lambda: compare(settings, "payments").exact, CATCH_UP)
    files = [path for path in warehouse.rglob("*") if path.is_file()]
    parquet = [path for path in files if path.suffix == ".parquet"]
    assert parquet and any(path.suffix == ".avro" for path in files) and any(path.suffix == ".json" for path in files)
    contents = {path: _decoded_parquet(path) if path.suffix == ".parquet" else path.read_bytes() for path in files}
    # The scan sees decoded values: an event id the table holds is found in its files.
    event_id = compare(settings, "payments").lake[0][2].encode()
    assert any(event_id in content for content in contents.values())
    found = {
        label: [str(path.relative_to(warehouse)) for path, content in contents.items() if form in content]
        for label, value in needles.items()
        for form in (value.encode(), value.lower().encode(), json.dumps(value)[1:-1].encode())
    }
    assert {label: paths for label, paths in found.items() if paths} == {}
