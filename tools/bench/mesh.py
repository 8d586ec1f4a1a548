"""The whole mesh under load: its own ceiling, InitiatePayment end to end and RetrievePayment.

    python -m tools.bench mesh [--runs 3] [--seconds 10]

Needs the whole mesh up (`make bench` runs `make up` first). Scenarios, each run `--runs` times
(the table and var/bench/mesh.json hold the medians, the JSON every run too):
- the ceiling: grpc.health.v1.Health/Check and ListFeatureDefinitions (in memory) straight over mTLS
  with ghz, closed loop and open loop (a fixed arrival rate), and ListFeatureDefinitions through the
  Envoy edge with wrk: what the runtime, mTLS, the policy and the edge cost before any domain work;
- InitiatePayment: KYC check with customer, fraud and AML screening by risk (features, the fraud model
  on Triton), the ledger posting and the event store/outbox in PostgreSQL; over mTLS and through the
  edge (POST /v1/payments, a unique idempotency key per request);
- RetrievePayment, a read of the payment history, over mTLS and through the edge.
Payment runs also give the delay from a payment's commit (its events' occur_time) to its record on
Kafka (the record's timestamp, set when the outbox relay sends it).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import grpc
from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.common.v1 import event_envelope_pb2
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.customer.v1 import customer_onboarding_service_pb2 as onboarding
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.payments.v1 import account_pb2, events_pb2, payment_pb2
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as initiation_grpc
from fintech.payments.v1 import position_keeping_service_pb2 as positions
from fintech.payments.v1 import position_keeping_service_pb2_grpc as positions_grpc

from services.runtime.config import Settings, get_settings
from services.runtime.tls import channel_credentials
from tools.bench import results as results_file
from tools.bench.load import (
    EDGE_WORKLOAD,
    Measurement,
    as_edge,
    cpu_by_component,
    cpu_per_request,
    edge_tokens,
    ghz,
    wrk,
)
from tools.demo.actors import ALICE, BRANCH
from tools.demo.scenario import KYC_CHECK, REGISTER
from tools.edge.mint import mint
from tools.edge.rest import RestClient
from tools.events import _partitions as topic_partitions
from tools.mesh.supervisor import Supervisor

PAYMENTS_TOPIC = "fintech.payments.events.v1"
INITIATE = "fintech.payments.v1.PaymentInitiationService/InitiatePayment"
RETRIEVE = "fintech.payments.v1.PaymentInitiationService/RetrievePayment"
WRITES = {INITIATE}  # calls that need an end user: made as the edge forwards one (load.as_edge)
DEFINITIONS = "fintech.features.v1.FeatureStoreService/ListFeatureDefinitions"
MTLS, EDGE = "mTLS (ghz)", "edge (wrk)"
AMOUNT = 1_000  # minor units: above the fraud rules' small-payment mark (a burst of small ones is card testing)
PAYMENTS_PER_CUSTOMER = 6  # in a whole bench; see Crowd
EDGE_PAYMENTS = 40  # payments/s through the edge at most, for sizing the crowd (wrk runs for a time)
EDGE_LIMIT = 100  # the edge's default requests per client per minute (mesh.toml [edge])
JSON = dict[str, Any]  # a request body (ghz data, wrk body) or a result record
Run = Callable[[], Measurement]  # one measured run of a scenario


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str  # "mTLS (ghz)" or "edge (wrk)"
    loop: str  # "closed, N callers" or "open, R/s"
    run: Run
    payments: bool = False  # measure the commit-to-Kafka delay


# -- the payment fixtures: verified customers with accounts ---------------------------------------------


def _accounts(settings: Settings, customers: int) -> list[str]:
    """Accounts of `customers` KYC-verified customers (registered by tellers through the edge), two each,
    with an overdraft so that no payment fails for funds."""
    address = settings.service("payments").address
    with (
        grpc.secure_channel(address, channel_credentials(EDGE_WORKLOAD, settings)) as channel,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        stub = positions_grpc.PositionKeepingServiceStub(channel)
        opened = list(pool.map(lambda _: _customer_accounts(settings, stub), range(customers)))
    accounts = [account for pair in opened for account in pair]
    if len(accounts) < 2:
        raise RuntimeError("no KYC-verified customer to pay with")
    return accounts


def _customer_accounts(settings: Settings, stub: positions_grpc.PositionKeepingServiceStub) -> list[str]:
    """A new customer's two accounts (none when KYC does not verify it). A teller of its own: the edge limits
    requests per client."""
    edge = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
    teller = mint(settings, "teller", branch_id=BRANCH, subject=f"bench-teller-{uuid.uuid4().hex[:8]}")
    record = ALICE.customer(uuid.uuid4().hex[:8])
    record.family_name = f"Bench{uuid.uuid4().hex[:8]}"
    registered = edge.call(
        REGISTER, directory.RegisterCustomerRequest(customer=record, request_id=str(uuid.uuid4())), token=teller
    ).customer
    check = edge.call(
        KYC_CHECK,
        onboarding.InitiateKycCheckRequest(
            customer_id=registered.customer_id, trigger=kyc.KYC_CHECK_TRIGGER_ONBOARDING, request_id=str(uuid.uuid4())
        ),
        token=teller,
    ).kyc_check
    if check.state != kyc.KYC_CHECK_STATE_VERIFIED:
        return []
    return [
        stub.OpenAccount(
            positions.OpenAccountRequest(
                idempotency_key=str(uuid.uuid4()), customer_id=registered.customer_id, currency_code="EUR",
                account_type=account_pb2.ACCOUNT_TYPE_CURRENT,
                overdraft_limit=Money(amount_minor=10**12, currency_code="EUR"),
            ),
            timeout=20,
            metadata=as_edge(teller),
        ).account.account_id
        for _ in range(2)
    ]  # fmt: skip


class Crowd:
    """Payment templates of a crowd of verified customers, handed out so that none pays more than
    PAYMENTS_PER_CUSTOMER times in a bench: the fraud rules' velocity marks (8 payments a minute, 10 an
    hour per customer) then see a crowd as a bank of that volume has, and decline or hold none of the
    bench's own payments for velocity. Sized up front for every run the bench makes."""

    def __init__(self, settings: Settings, payments: int) -> None:
        # A few more than the payments need: each run rounds its share up to whole accounts.
        self.templates = _payment_data(_accounts(settings, math.ceil(payments / PAYMENTS_PER_CUSTOMER) + 8))
        self.taken = 0

    def take(self, payments: int) -> list[JSON]:
        """Templates for a run of up to `payments` payments (ghz and wrk use them round robin)."""
        count = min(len(self.templates), math.ceil(payments / (PAYMENTS_PER_CUSTOMER // 2)))  # two accounts each
        if self.taken + count > len(self.templates):
            self.taken = 0  # more than planned: reuse from the start (velocity declines will show)
        self.taken += count
        return self.templates[self.taken - count : self.taken]


def _payment_data(accounts: list[str]) -> list[JSON]:
    """ghz request templates, used round robin: each pays the next account, with a fresh key per request."""
    return [
        {
            "idempotency_key": "bench-{{.UUID}}",
            "debtor_account_id": debtor,
            "creditor_account_id": accounts[(index + 1) % len(accounts)],
            "amount": {"amount_minor": AMOUNT + index, "currency_code": "EUR"},
            "channel": payment_pb2.PaymentChannel.Name(payment_pb2.PAYMENT_CHANNEL_WEB),
        }
        for index, debtor in enumerate(accounts)
    ]


def _some_payments(settings: Settings, templates: list[JSON], count: int = 50) -> list[str]:
    staff = staff_token(settings)
    address = settings.service("payments").address
    with grpc.secure_channel(address, channel_credentials(EDGE_WORKLOAD, settings)) as channel:
        stub = initiation_grpc.PaymentInitiationServiceStub(channel)
        ids = []
        for index in range(count):
            template = templates[index % len(templates)]
            request = initiation.InitiatePaymentRequest(
                idempotency_key=f"bench-{uuid.uuid4()}",
                debtor_account_id=template["debtor_account_id"],
                creditor_account_id=template["creditor_account_id"],
                amount=Money(amount_minor=AMOUNT, currency_code="EUR"),
                channel=payment_pb2.PAYMENT_CHANNEL_WEB,
            )
            try:
                ids.append(stub.InitiatePayment(request, timeout=20, metadata=as_edge(staff)).payment.payment_id)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.FAILED_PRECONDITION:  # declined by screening: recorded, readable
                    raise
    if not ids:
        raise RuntimeError("no payment to read: every one was declined")
    return ids


# -- commit to Kafka ----------------------------------------------------------------------------------


async def _offsets(settings: Settings) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(
            await topic_partitions(settings, [PAYMENTS_TOPIC])
        )
        return offsets
    finally:
        await consumer.stop()


async def _payment_events(settings: Settings, start: dict[TopicPartition, int], wait: float = 30.0) -> JSON:
    """What the payment events published since `start` say (the relay catching up first): the delay from
    each event's commit (occur_time) to its Kafka record, and how the run's payments ended. A held
    payment is accepted by the API but not executed: it waits for a person (or for screening that did
    not answer in time), so throughput counts executed payments apart."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    delays: list[float] = []
    outcomes: Counter[str] = Counter()
    try:
        consumer.assign(list(start))
        for partition, offset in start.items():
            consumer.seek(partition, offset)
        deadline = time.monotonic() + wait
        idle = 0
        while time.monotonic() < deadline and idle < 3:  # three empty polls: the relay has published the run
            batches = await consumer.getmany(timeout_ms=1000)
            idle = 0 if batches else idle + 1
            for records in batches.values():
                for record in records:
                    envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
                    delays.append(record.timestamp - envelope.occur_time.ToMilliseconds())
                    if (outcome := _outcome(envelope)) is not None:
                        outcomes[outcome] += 1
    finally:
        await consumer.stop()
    return {"delays": sorted(delays), "outcomes": outcomes}


OUTCOMES = ("executed", "declined", "held_for_review", "held_screening_unavailable", "rules_only")


def _outcome(envelope: event_envelope_pb2.EventEnvelope) -> str | None:
    """executed, declined, held_screening_unavailable, held_for_review or rules_only (screened without
    the fraud model: risk answered from its rules because features or the model did not answer in time)."""
    kind = envelope.event_type.rsplit(".", 1)[-1]
    if kind == "PaymentExecuted":
        return "executed"
    if kind == "PaymentRejected":
        return "declined"
    if kind == "PaymentHeld":
        held = events_pb2.PaymentHeld.FromString(envelope.payload.value)
        unavailable = held.hold_reason == payment_pb2.HOLD_REASON_SCREENING_UNAVAILABLE
        return "held_screening_unavailable" if unavailable else "held_for_review"
    if kind == "PaymentScreened":
        outcome = events_pb2.PaymentScreened.FromString(envelope.payload.value).screening_outcome
        if not outcome.screening_skipped and not outcome.fraud_model_version:
            return "rules_only"
    return None


# -- runs ---------------------------------------------------------------------------------------------


def _measure(settings: Settings, supervisor: Supervisor, scenario: Scenario) -> Measurement:
    start = asyncio.run(_offsets(settings)) if scenario.payments else {}
    before = cpu_by_component(supervisor)
    measurement = scenario.run()
    measurement.cpu_ms_per_request = cpu_per_request(before, cpu_by_component(supervisor), measurement.requests)
    if scenario.payments:
        events = asyncio.run(_payment_events(settings, start))
        delays = events["delays"]
        if delays:
            measurement.extra = {
                "kafka_delay_p50_ms": delays[len(delays) // 2],
                "kafka_delay_p99_ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))],
                "events": len(delays),
            }
        for outcome, count in events["outcomes"].items():
            measurement.extra[f"{outcome}_per_s"] = count / measurement.seconds if measurement.seconds else 0.0
    return measurement


def _templates(data: Crowd | Sequence[JSON] | JSON, payments: int) -> Sequence[JSON] | JSON:
    """A run's request data: fresh customers' templates from a crowd, else `data` itself."""
    return data.take(payments) if isinstance(data, Crowd) else data


def _edge_templates(bodies: Crowd | Sequence[JSON], payments: int) -> Sequence[JSON]:
    """_templates for wrk, whose bodies are always a list."""
    return bodies.take(payments) if isinstance(bodies, Crowd) else bodies


def staff_token(settings: Settings) -> str:
    """An admin's token for the direct calls that write (as_edge); long enough for a whole bench."""
    return mint(settings, "admin", subject=f"bench-admin-{uuid.uuid4().hex[:8]}", ttl=3 * 3600)


def scenarios(settings: Settings, seconds: int, payments: bool, runs: int) -> list[Scenario]:
    staff = staff_token(settings)

    def closed(
        call: str, service: str, data: Crowd | Sequence[JSON] | JSON, callers: int = 50, total: int = 1000 * seconds
    ) -> Run:
        # `total` is about `seconds` of work at the expected rate: ghz's --total avoids cutting calls at the end.
        token = staff if call in WRITES else None
        return lambda: ghz(
            settings, service, call, _templates(data, total), requests=total, concurrency=callers, token=token
        )

    def open_loop(call: str, service: str, data: Crowd | Sequence[JSON] | JSON, rate: int) -> Run:
        token = staff if call in WRITES else None
        return lambda: ghz(settings, service, call, _templates(data, rate * seconds), requests=rate * seconds,
                           concurrency=50, rps=rate, token=token)  # fmt: skip

    def edge(path: str, method: str = "GET", bodies: Crowd | Sequence[JSON] = (), connections: int = 50) -> Run:
        # Enough clients that none reaches the edge's per-client limit at a few thousand requests per second.
        return lambda: wrk(
            settings, path, seconds=seconds, connections=connections, method=method,
            bodies=[b | {"idempotency_key": "bench-{{KEY}}"} for b in _edge_templates(bodies, EDGE_PAYMENTS * seconds)],
            tokens=edge_tokens(settings, max(50, seconds * 4000 // EDGE_LIMIT)),
        )  # fmt: skip

    health, page = "grpc.health.v1.Health/Check", {"page_size": 1}
    ceiling = [
        Scenario("Health/Check", MTLS, "closed, 50 callers", closed(health, "features", {})),
        Scenario("ListFeatureDefinitions", MTLS, "closed, 50 callers", closed(DEFINITIONS, "features", page)),
        Scenario("ListFeatureDefinitions", MTLS, "open, 500/s", open_loop(DEFINITIONS, "features", page, 500)),
        Scenario(
            "GET /v1/featureDefinitions", EDGE, "closed, 50 connections", edge("/v1/featureDefinitions?page_size=1")
        ),
    ]
    if not payments:
        return ceiling
    crowd = Crowd(settings, 50 + runs * (20 + 10 + EDGE_PAYMENTS) * seconds)
    paid = _some_payments(settings, crowd.take(50))
    reads = [{"payment_id": payment_id} for payment_id in paid]
    return ceiling + [
        Scenario(
            "InitiatePayment", MTLS, "closed, 16 callers", closed(INITIATE, "payments", crowd, 16, 20 * seconds), True
        ),
        Scenario("InitiatePayment", MTLS, "open, 10/s", open_loop(INITIATE, "payments", crowd, 10), True),
        Scenario("POST /v1/payments", EDGE, "closed, 16 connections", edge("/v1/payments", "POST", crowd, 16), True),
        Scenario("RetrievePayment", MTLS, "closed, 50 callers", closed(RETRIEVE, "payments", reads, 50, 250 * seconds)),
        Scenario("GET /v1/payments/{id}", EDGE, "closed, 50 connections", edge(f"/v1/payments/{paid[0]}")),
    ]


def _median(samples: list[Measurement]) -> JSON:
    records = [sample.record() for sample in samples]
    keys = ("requests_per_s", "p50_ms", "p95_ms", "p99_ms", "error_rate")
    median = {key: statistics.median(r[key] for r in records) for key in keys}
    components = {name for r in records for name in r["cpu_ms_per_request"]}
    median["cpu_ms_per_request"] = {
        name: statistics.median(r["cpu_ms_per_request"].get(name, 0.0) for r in records) for name in sorted(components)
    }
    for key in {k for r in records for k in r["extra"]}:
        median[key] = statistics.median(r["extra"].get(key, 0.0) for r in records)
    return median


def table(results: list[JSON]) -> str:
    """The README's markdown table: medians, CPU per request of the components that did real work."""
    columns = ["scenario", "path", "loop", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
               "CPU ms/request by component", "commit→Kafka p50/p99 ms", "payments/s by outcome"]  # fmt: skip
    lines = ["| " + " | ".join(columns) + " |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"]  # fmt: skip
    for result in results:
        m = result["median"]
        cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(m["cpu_ms_per_request"].items(), key=lambda x: -x[1])
                        if ms >= 0.05)  # fmt: skip
        kafka = f"{m['kafka_delay_p50_ms']:.0f} / {m['kafka_delay_p99_ms']:.0f}" if "kafka_delay_p50_ms" in m else ""
        outcomes = ", ".join(f"{name.replace('_', ' ')} {m[f'{name}_per_s']:.1f}" for name in OUTCOMES
                             if m.get(f"{name}_per_s"))  # fmt: skip
        cells = [result["scenario"], result["path"], result["loop"], f"{m['requests_per_s']:.0f}",
                 *(f"{m[key]:.1f}" for key in ("p50_ms", "p95_ms", "p99_ms")), f"{100 * m['error_rate']:.2f} %", cpu,
                 kafka, outcomes]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench mesh", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (ghz: about as long)")
    parser.add_argument("--no-payments", action="store_true", help="the ceiling only")
    args = parser.parse_args(argv)
    settings = get_settings()
    supervisor = Supervisor(settings)
    results: list[JSON] = []
    for scenario in scenarios(settings, args.seconds, not args.no_payments, args.runs):
        samples = [_measure(settings, supervisor, scenario) for _ in range(args.runs)]
        results.append({
            "scenario": scenario.name, "path": scenario.path, "loop": scenario.loop,
            "median": _median(samples), "runs": [s.record() for s in samples],
        })  # fmt: skip
        m = results[-1]["median"]
        print(f"{scenario.name} {scenario.path} {scenario.loop}: {m['requests_per_s']:.0f}/s p99 {m['p99_ms']:.1f} ms")
    written = results_file.write("mesh", "the mesh under load: ceiling, InitiatePayment, RetrievePayment", args.runs,
                                 results, table(results))  # fmt: skip
    print(table(results))
    print(f"medians of {args.runs} runs; written to {written} and its .md")
