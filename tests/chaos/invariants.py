"""What must hold after any fault: read from the payments database, from Kafka and from the consumers' databases,
compared with the load's records.

- every key answered OK has exactly one payment, and that payment is the one the answer named;
- no key has two payments (retries and the fault never executed an order twice);
- an executed payment has exactly one ledger posting, any other payment none (a failure posted nothing);
- every answer was clear: OK, a screening decline (FAILED_PRECONDITION, and the key's one payment REJECTED as
  fraud or compliance declined), or a refusal to retry later (a transient status the load's retries never got
  past) that made no payment; anything else is named with its attempts;
- no payment is stuck: once the fault is over, each payment of the run comes to rest as the payments domain
  defines it (`resting`), waited for as long as the service's own sweepers take to move a stranded one;
- every event in the event store reaches Kafka;
- consumers apply each event once, also when Kafka delivers it again: the check has the payments relay publish
  the run's events a second time (what it does when a publish's acknowledgement is lost), waits until every
  consumer group has read past them, then compares the consumers' effects with the event store: the features
  pipeline's running counts per customer, account and payee, and the customer service's payment activity;
- money is conserved: every posting balances, each account's balance is the sum of its entries, and the
  accounts of the run still add up to what they held before it;
- the online store caught up: every entity of the module's payments has its row in Redis at the version
  PostgreSQL's online row has, with one event per payment, and Redis is not marked behind.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import func, select, update

from libs.featurespec.definitions import Entity
from libs.featurespec.online import OnlineReader, OnlineUnavailable
from services.customer.adapters.db.models import PaymentActivityRow
from services.customer.adapters.payment_events import GROUP_ID as CUSTOMER_GROUP
from services.customer.adapters.payment_events import PaymentEventsConsumer
from services.features.adapters.db.tables import online_features
from services.features.adapters.pipeline import GROUP_ID as FEATURES_GROUP
from services.features.adapters.pipeline import FeaturePipeline
from services.payments.adapters.background import STRANDED_AFTER
from services.payments.adapters.db.models import LedgerPostingRow, PaymentEventRow, PaymentHistoryRow
from services.payments.adapters.events.webhook_matcher import GROUP_ID as WEBHOOKS_GROUP
from services.payments.app.initiation import SCREENING_REJECTIONS
from services.payments.domain import payment as domain
from services.payments.domain.execution_dates import due
from services.runtime.config import Settings
from services.runtime.db import Database, outbox_events
from services.runtime.event_registry import EventRegistry
from services.runtime.kafka import make_admin
from services.runtime.redis_client import connect
from tests.chaos.load import TRANSIENT, Request
from tests.payments.support import balances, unbalanced_postings
from tools.events import read_events

S = p.PaymentState
TOPIC = "fintech.payments.events.v1"
EVENTS_TIMEOUT = 90.0  # the relay publishes what waited while Kafka was down
# Where a payment may rest with nothing calling for it (services/payments/domain/payment.py): a terminal state, EXECUTED
# (booked; settling it is a later batch's business), HELD_FOR_REVIEW (a person decides) or ACCEPTED with a
# future execution date (the scheduler books it then). INITIATED, SCREENING and ACCEPTED-and-due only last while
# InitiatePayment runs; after a crash the service's sweepers move them on (services/payments/adapters/
# background.py: StrandedScreenings holds a screening stranded for STRANDED_AFTER, checking every 15 s;
# DueExecutions books due ones every minute), so they get that long and a margin. One still there is stuck,
# its amount reserved for good.
RESTING = domain.TERMINAL | {S.PAYMENT_STATE_EXECUTED, S.PAYMENT_STATE_HELD_FOR_REVIEW}
SETTLE_TIMEOUT = max(STRANDED_AFTER.total_seconds() + 15, 60) + 45
EXECUTED = (S.PAYMENT_STATE_EXECUTED, S.PAYMENT_STATE_SETTLED)
# The consumer groups of the payment events, and how long they may take to read past the events sent again.
CONSUMER_GROUPS = (FEATURES_GROUP, CUSTOMER_GROUP, WEBHOOKS_GROUP)
CONSUMERS_TIMEOUT = 90.0
ONLINE_TIMEOUT = 60.0  # the features service resyncs Redis from PostgreSQL once it answers again
# Sent again: the events whose effects are compared (the other types each consumer passes over unread).
RESENT_TYPES = FeaturePipeline.handles | PaymentEventsConsumer.handles
TRANSIENT_NAMES = {code.name for code in TRANSIENT}


def resting(payment: p.Payment) -> bool:
    if payment.state == S.PAYMENT_STATE_ACCEPTED:
        return not due(payment)
    return payment.state in RESTING


@dataclass
class Verdict:
    sent: int = 0
    succeeded: int = 0
    failed_cleanly: int = 0  # declined by screening, or refused with nothing made
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    money: list[str] = field(default_factory=list)
    events_missing: list[str] = field(default_factory=list)
    events_redelivered: int = 0  # the same event id more than once on Kafka, before the check sends them again
    resent: int = 0  # events the check had the relay publish again
    consumers: list[str] = field(default_factory=list)  # an effect applied twice, or never
    online: list[str] = field(default_factory=list)  # a row in Redis behind (or ahead of) PostgreSQL's
    outcomes: Counter = field(default_factory=Counter)  # each key's final answer: OK (by payment state) or a status

    @property
    def problems(self) -> list[str]:
        return [problem for _, problems in self._rules() for problem in problems]

    def summary(self, each: int = 5) -> list[str]:
        """The problems by rule, the first `each` of a rule: one broken rule's many never hide another's."""
        lines = []
        for rule, problems in self._rules():
            if problems:
                more = f" ({len(problems) - each} more)" if len(problems) > each else ""
                lines += [f"{rule}: {len(problems)}{more}", *(f"  {problem}" for problem in problems[:each])]
        return lines

    def _rules(self) -> list[tuple[str, list[str]]]:
        return [("lost", self.lost), ("duplicated", self.duplicated), ("unclear", self.unclear),
                ("stuck", self.stuck), ("money", self.money), ("events missing on Kafka", self.events_missing),
                ("consumers not applying each event once", self.consumers),
                ("online rows in Redis behind PostgreSQL", self.online)]  # fmt: skip


@dataclass
class Ledger:
    payments_by_key: dict[str, list[str]]
    payments: dict[str, p.Payment]  # the read model's payment, by id
    postings: Counter
    store_events: dict[str, set[str]]  # payment id -> its event ids in the event store
    event_types: dict[str, str]  # event id -> its type
    initiated: list[ev.PaymentInitiated]

    @property
    def states(self) -> dict[str, int]:
        return {payment_id: payment.state for payment_id, payment in self.payments.items()}


async def _read_ledger(settings: Settings, accounts: list[str]) -> Ledger:
    registry = EventRegistry.discover()
    database = Database.for_service("payments", settings)
    try:
        async with database.session() as session:
            ids = [uuid.UUID(a) for a in accounts]
            history = (await session.execute(
                select(PaymentHistoryRow.payment_id, PaymentHistoryRow.payment)
                .where(PaymentHistoryRow.debtor_account_id.in_(ids))
            )).all()  # fmt: skip
            payment_ids = [row.payment_id for row in history]
            events = (await session.execute(
                select(PaymentEventRow.payment_id, PaymentEventRow.event_id, PaymentEventRow.event_type,
                       PaymentEventRow.envelope).where(PaymentEventRow.payment_id.in_(payment_ids))
            )).all()  # fmt: skip
            posted = (await session.scalars(
                select(LedgerPostingRow.payment_id).where(LedgerPostingRow.payment_id.in_(payment_ids))
            )).all()  # fmt: skip
    finally:
        await database.dispose()
    by_key: dict[str, list[str]] = {}
    event_types: dict[str, str] = {}
    store_events: dict[str, set[str]] = {}
    initiated = []
    for row in events:
        event_types[str(row.event_id)] = row.event_type
        store_events.setdefault(str(row.payment_id), set()).add(str(row.event_id))
        if row.event_type.endswith("PaymentInitiated"):
            event = registry.unwrap(event_envelope_pb2.EventEnvelope.FromString(row.envelope))
            by_key.setdefault(event.idempotency_key, []).append(str(row.payment_id))
            initiated.append(event)
    payments = {str(row.payment_id): p.Payment.FromString(row.payment) for row in history}
    return Ledger(by_key, payments, Counter(map(str, posted)), store_events, event_types, initiated)


async def _settled(settings: Settings, accounts: list[str], keys: set[str]) -> tuple[Ledger, list[str]]:
    """The ledger once every payment of the run's keys rests (or SETTLE_TIMEOUT passed), and those that do not."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        ledger = await _read_ledger(settings, accounts)
        ids = [payment_id for key, ids in ledger.payments_by_key.items() if key in keys for payment_id in ids]
        stuck = [ledger.payments[i] for i in ids if i in ledger.payments and not resting(ledger.payments[i])]
        if not stuck or time.monotonic() > deadline:
            return ledger, [
                f"payment {payment.payment_id} stuck in {S.Name(payment.state)} since "
                f"{payment.update_time.ToDatetime():%H:%M:%S} (waited {SETTLE_TIMEOUT:.0f} s)"
                for payment in stuck
            ]
        await asyncio.sleep(1)


async def _money(settings: Settings, accounts: list[str], expected_total: int) -> list[str]:
    database = Database.for_service("payments", settings)
    try:
        rows = await balances(database, [uuid.UUID(a) for a in accounts])
        unbalanced = await unbalanced_postings(database)
    finally:
        await database.dispose()
    problems = [f"account {a}: balance {cached} but its entries sum to {summed}"
                for a, (cached, summed) in rows.items() if cached != summed]  # fmt: skip
    total = sum(cached for cached, _ in rows.values())
    if total != expected_total:
        problems.append(f"the run's accounts hold {total}, not {expected_total}")
    if unbalanced:
        problems.append(f"{unbalanced} ledger postings whose debits differ from their credits")
    return problems


async def _kafka_events(settings: Settings, store_events: dict[str, set[str]]) -> tuple[list[str], int]:
    """Missing event ids per payment once the relay has caught up (or timed out), and redeliveries."""
    deadline = time.monotonic() + EVENTS_TIMEOUT
    while True:
        seen = await read_events(settings, [TOPIC], set(store_events))
        counts = Counter(event.envelope.event_id for event in seen)
        missing = [f"payment {pid}: events {sorted(ids - set(counts))} never reached Kafka"
                   for pid, ids in store_events.items() if ids - set(counts)]  # fmt: skip
        if not missing or time.monotonic() > deadline:
            return missing, sum(n - 1 for n in counts.values())
        await asyncio.sleep(2)


async def _redeliver(settings: Settings, event_ids: set[str]) -> tuple[int, list[str]]:
    """Marks the events' outbox rows unpublished, as when the relay's acknowledgement is lost, and waits until the
    relay has published them again: each is on Kafka twice. Returns how many, and what went wrong."""
    ids = [uuid.UUID(i) for i in event_ids]
    database = Database.for_service("payments", settings)
    try:
        async with database.transaction() as session:
            reset = await session.execute(update(outbox_events).where(outbox_events.c.id.in_(ids))
                                          .values(published_at=None))  # fmt: skip
        if reset.rowcount != len(ids):  # the relay keeps published rows for days: all must be there to send again
            return reset.rowcount, [f"only {reset.rowcount} of the run's {len(ids)} events are in the outbox"]
        unpublished = select(func.count()).where(outbox_events.c.id.in_(ids), outbox_events.c.published_at.is_(None))
        deadline = time.monotonic() + EVENTS_TIMEOUT
        while left := await _scalar(database, unpublished):
            if time.monotonic() > deadline:
                return reset.rowcount, [f"the relay did not publish {left} events again"]
            await asyncio.sleep(0.5)
    finally:
        await database.dispose()
    return reset.rowcount, []


async def _scalar(database: Database, statement) -> int:
    async with database.session() as session:
        return await session.scalar(statement)


async def _consumed(settings: Settings) -> list[str]:
    """Waits until every consumer group of the topic has committed past its end (as it is now): each has
    applied, or passed over as a duplicate, everything on it. Returns the groups still behind."""
    admin = make_admin("chaos-check", settings=settings)
    reader = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, isolation_level="read_committed")
    await admin.start()
    await reader.start()
    try:
        described = await admin.describe_topics([TOPIC])
        partitions = [TopicPartition(TOPIC, p["partition"]) for t in described for p in t["partitions"]]
        ends = await reader.end_offsets(partitions)
        deadline = time.monotonic() + CONSUMERS_TIMEOUT
        while True:
            behind = {}
            for group in CONSUMER_GROUPS:
                committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
                lag = sum(end - max(getattr(committed.get(tp), "offset", 0), 0) for tp, end in ends.items())
                if lag > 0:
                    behind[group] = lag
            if not behind or time.monotonic() > deadline:
                return [f"consumer group {group} is {lag} records behind after {CONSUMERS_TIMEOUT:.0f} s"
                        for group, lag in behind.items()]  # fmt: skip
            await asyncio.sleep(0.5)
    finally:
        await reader.stop()
        await admin.close()


async def _features(settings: Settings, initiated: list[ev.PaymentInitiated]) -> list[str]:
    """The features pipeline adds each PaymentInitiated to the running row of its customer, debtor account and
    payee once: each row's count and sum are those of the event store's payments (all of the module's accounts:
    the rows run on over the faults)."""
    expected: dict[tuple[int, uuid.UUID], list[int]] = {}
    for event in initiated:
        for entity, entity_id in ((Entity.CUSTOMER, event.customer_id), (Entity.ACCOUNT, event.debtor_account_id),
                                  (Entity.MERCHANT, event.creditor_account_id)):  # fmt: skip
            totals = expected.setdefault((int(entity), uuid.UUID(entity_id)), [0, 0])
            totals[0] += 1
            totals[1] += event.amount.amount_minor
    database = Database.for_service("features", settings)
    try:
        async with database.session() as session:
            rows = (await session.execute(
                select(online_features.c.entity_type, online_features.c.entity_id, online_features.c.payment_count,
                       online_features.c.amount_sum)
                .where(online_features.c.entity_id.in_({entity_id for _, entity_id in expected}))
            )).all()  # fmt: skip
    finally:
        await database.dispose()
    found = {(row.entity_type, row.entity_id): [row.payment_count, int(row.amount_sum)] for row in rows}
    return [
        f"features: {Entity(entity).name} {entity_id} counts {found.get((entity, entity_id), [0, 0])} "
        f"(payments, amount), the event store has {totals}"
        for (entity, entity_id), totals in expected.items()
        if found.get((entity, entity_id)) != totals
    ]


async def _online_rows(settings: Settings, initiated: list[ev.PaymentInitiated]) -> list[str]:
    """Each entity's row in Redis has PostgreSQL's version and one event per payment, once the writer has caught
    up (it may still be resyncing right after the fault: waited for up to ONLINE_TIMEOUT)."""
    entities = sorted({
        (int(entity), uuid.UUID(entity_id))
        for event in initiated
        for entity, entity_id in ((Entity.CUSTOMER, event.customer_id), (Entity.ACCOUNT, event.debtor_account_id),
                                  (Entity.MERCHANT, event.creditor_account_id))
    })  # fmt: skip
    database = Database.for_service("features", settings)
    reader = OnlineReader(connect(settings, "features", timeout=5.0), timeout=5.0, pause=0.0)
    deadline = time.monotonic() + ONLINE_TIMEOUT
    try:
        while True:
            async with database.session() as session:
                rows = (await session.execute(
                    select(online_features.c.entity_type, online_features.c.entity_id, online_features.c.version,
                           online_features.c.payment_count)
                    .where(online_features.c.entity_id.in_({entity_id for _, entity_id in entities}))
                )).all()  # fmt: skip
            postgres = {(row.entity_type, row.entity_id): (row.version, row.payment_count) for row in rows}
            try:
                online, _ = await reader.rows([(entity, str(entity_id)) for entity, entity_id in entities])
                problems = [
                    f"online: {Entity(entity).name} {entity_id} Redis has "
                    f"{(row.version, len(row.events)) if row else None} (version, events), PostgreSQL "
                    f"{postgres.get((entity, entity_id))} (version, payments)"
                    for (entity, entity_id), row in zip(entities, online, strict=True)
                    if row is None or (row.version, len(row.events)) != postgres.get((entity, entity_id))
                ]
            except OnlineUnavailable as error:  # still down, or behind: the writer is resyncing
                problems = [f"online: {error}"]
            if not problems or time.monotonic() > deadline:
                return problems
            await asyncio.sleep(1.0)
    finally:
        await reader.stop()
        await database.dispose()


async def _activity(settings: Settings, ledger: Ledger, payment_ids: list[str]) -> list[str]:
    """The customer service records each payment once (PaymentInitiated) and marks it executed (PaymentExecuted)
    exactly when the event store has it executed."""
    database = Database.for_service("customer", settings)
    try:
        async with database.session() as session:
            rows = (await session.execute(
                select(PaymentActivityRow.payment_id, PaymentActivityRow.execute_time)
                .where(PaymentActivityRow.payment_id.in_([uuid.UUID(i) for i in payment_ids]))
            )).all()  # fmt: skip
    finally:
        await database.dispose()
    executed = {str(row.payment_id): row.execute_time is not None for row in rows}
    problems = []
    for payment_id in payment_ids:
        state = ledger.payments[payment_id].state
        if payment_id not in executed:
            problems.append(f"customer: payment {payment_id} ({S.Name(state)}) has no payment activity")
        elif executed[payment_id] != (state in EXECUTED):
            problems.append(f"customer: payment {payment_id} ({S.Name(state)}) marked executed: {executed[payment_id]}")
    return problems


async def _consumers(settings: Settings, ledger: Ledger, payment_ids: list[str]) -> tuple[int, list[str]]:
    event_ids = {event_id for payment_id in payment_ids for event_id in ledger.store_events.get(payment_id, ())
                 if ledger.event_types[event_id] in RESENT_TYPES}  # fmt: skip
    resent, problems = await _redeliver(settings, event_ids)
    problems += await _consumed(settings)
    if problems:  # the effects would be compared with events not all applied yet
        return resent, problems
    return resent, [*await _features(settings, ledger.initiated), *await _activity(settings, ledger, payment_ids)]


def _failed_cleanly(request: Request, ledger: Ledger, payments: list[str]) -> bool:
    """A screening decline (the key's one payment rejected by fraud or compliance screening), or a refusal to
    come back later that made no payment."""
    if request.final in TRANSIENT_NAMES:
        return not payments
    payment = ledger.payments.get(payments[0]) if len(payments) == 1 else None
    return request.final == "FAILED_PRECONDITION" and payment is not None and (
        payment.state == S.PAYMENT_STATE_REJECTED and payment.rejection_reason in SCREENING_REJECTIONS
    )  # fmt: skip


def check(settings: Settings, requests: list[Request], accounts: list[str], expected_total: int) -> Verdict:
    """Every invariant of the module docstring, for the requests of one run."""
    verdict = Verdict(sent=len(requests))
    ledger, verdict.stuck = asyncio.run(_settled(settings, accounts, {r.key for r in requests}))
    run_payments = []
    for request in requests:
        payments = ledger.payments_by_key.get(request.key, [])
        run_payments += payments
        state = p.PaymentState.Name(request.state).removeprefix("PAYMENT_STATE_") if request.final == "OK" else ""
        verdict.outcomes[f"OK {state}" if state else request.final or "unresolved"] += 1
        if len(payments) > 1:
            verdict.duplicated.append(f"key {request.key}: {len(payments)} payments {payments}")
        if request.final == "OK":
            verdict.succeeded += 1
            if payments != [request.payment_id]:
                verdict.lost.append(f"key {request.key}: answered {request.payment_id}, the store has {payments}")
        elif _failed_cleanly(request, ledger, payments):
            verdict.failed_cleanly += 1
        else:
            made = {payment_id: S.Name(ledger.states.get(payment_id, 0)) for payment_id in payments}
            verdict.unclear.append(
                f"key {request.key}: {request.final or 'unresolved'} after attempts {request.attempts}, payments {made}"
            )
        for payment_id in payments:
            executed = ledger.states.get(payment_id) in EXECUTED
            if ledger.postings[payment_id] != (1 if executed else 0):
                target = verdict.duplicated if ledger.postings[payment_id] > 1 else verdict.lost
                state = p.PaymentState.Name(ledger.states.get(payment_id, 0))
                target.append(f"payment {payment_id} ({state}): {ledger.postings[payment_id]} ledger postings")
    verdict.money = asyncio.run(_money(settings, accounts, expected_total))
    run_events = {payment_id: ledger.store_events.get(payment_id, set()) for payment_id in run_payments}
    verdict.events_missing, verdict.events_redelivered = asyncio.run(_kafka_events(settings, run_events))
    if not verdict.events_missing:  # consumers can only be held to the events that reached them
        verdict.resent, verdict.consumers = asyncio.run(_consumers(settings, ledger, run_payments))
        verdict.online = asyncio.run(_online_rows(settings, ledger.initiated))
    return verdict
