"""Aggregates produced to the analytics topics exactly as the contract says (proto/fintech/analytics/v1/
aggregates.proto: the messages, the topics, the keys, tombstones), standing in for the stream processor
(services/analytics): the console's bench (tools/bench/console.py) and its browser test where the processor is not
in the clone (tests/console)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fintech.analytics.v1 import aggregates_pb2
from fintech.customer.v1 import kyc_check_pb2
from fintech.payments.v1 import payment_pb2

from services.runtime.config import Settings
from services.runtime.kafka import make_producer

P = payment_pb2
# The contract's topics (tests/console checks them against the console's own table).
TOPICS = {
    "payments": "fintech.analytics.payment_flow.v1",
    "fraud": "fintech.analytics.fraud_decisions.v1",
    "review": "fintech.analytics.review_queue.v1",
    "settlement": "fintech.analytics.settlement_positions.v1",
    "kyc": "fintech.analytics.kyc_outcomes.v1",
}


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def minute(moment: datetime | None = None) -> datetime:
    return (moment or datetime.now(UTC)).replace(second=0, microsecond=0)


W = TypeVar("W", aggregates_pb2.PaymentFlowWindow, aggregates_pb2.FraudDecisionWindow, aggregates_pb2.KycOutcomeWindow)


def _window(message: W, start: datetime) -> W:
    message.window_start.FromDatetime(start)
    message.window_end.FromDatetime(start + timedelta(minutes=1))
    message.update_time.FromDatetime(datetime.now(UTC))
    return message


class ContractProducer:
    """Keeps the values it produced, so a test can add to a window as the processor would (latest value wins)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.producer: AIOKafkaProducer = make_producer("console-tests", settings=settings)
        self.flows: dict[str, aggregates_pb2.PaymentFlowWindow] = {}
        self.fraud: dict[str, aggregates_pb2.FraudDecisionWindow] = {}

    async def __aenter__(self) -> ContractProducer:
        await self.producer.start()
        await self._resume()
        return self

    async def _resume(self) -> None:
        """Continue the windows already on the topics (as the processor does from its changelog): a window's next
        value adds to its latest one, never restarts it from zero."""
        parts = [TopicPartition(TOPICS[name], p) for name in ("payments", "fraud")
                 for p in sorted(await self.producer.partitions_for(TOPICS[name]))]  # fmt: skip
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka.bootstrap_servers, group_id=None,
                                    isolation_level="read_committed")  # fmt: skip
        await consumer.start()
        try:
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends = await consumer.end_offsets(parts)
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    for record in records:
                        key = (record.key or b"").decode()
                        if tp.topic == TOPICS["payments"] and record.value is not None:
                            self.flows[key] = aggregates_pb2.PaymentFlowWindow.FromString(record.value)
                        elif record.value is not None:
                            self.fraud[key] = aggregates_pb2.FraudDecisionWindow.FromString(record.value)
        finally:
            await consumer.stop()

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()

    async def send(self, panel: str, key: str, value: bytes | None) -> None:
        await self.producer.send_and_wait(TOPICS[panel], value=value, key=key.encode())

    async def payments(
        self, start: datetime, state: P.PaymentState, channel: P.PaymentChannel, count: int, minor: int
    ) -> None:
        key = f"{rfc3339(start)}|{P.PaymentState.Name(state)}|{P.PaymentChannel.Name(channel)}|EUR"
        flow = self.flows.setdefault(
            key, _window(aggregates_pb2.PaymentFlowWindow(state=state, channel=channel), start)
        )
        flow.payment_count += count
        flow.total_amount.amount_minor += minor
        flow.total_amount.currency_code = "EUR"
        flow.update_time.FromDatetime(datetime.now(UTC))
        await self.send("payments", key, flow.SerializeToString())

    async def decisions(self, start: datetime, version: str, approve: int, review: int, decline: int,
                        score_sum: float) -> None:  # fmt: skip
        key = f"{rfc3339(start)}|fraud|{version}"
        window = self.fraud.setdefault(
            key, _window(aggregates_pb2.FraudDecisionWindow(model_name="fraud", model_version=version), start)
        )
        window.approve_count += approve
        window.review_count += review
        window.decline_count += decline
        window.fraud_score_sum += score_sum
        window.update_time.FromDatetime(datetime.now(UTC))
        await self.send("fraud", key, window.SerializeToString())

    async def hold(
        self, payment_id: str, held: datetime, minor: int, reason: P.HoldReason = P.HOLD_REASON_FRAUD_REVIEW
    ) -> None:
        entry = aggregates_pb2.ReviewQueueEntry(
            payment_id=payment_id, hold_reason=reason, channel=P.PAYMENT_CHANNEL_WEB
        )
        entry.hold_time.FromDatetime(held)
        entry.amount.amount_minor, entry.amount.currency_code = minor, "EUR"
        await self.send("review", payment_id, entry.SerializeToString())

    async def release(self, payment_id: str) -> None:
        await self.send("review", payment_id, None)  # a tombstone: it left the queue

    async def position(self, bic: str, count: int, minor: int) -> None:
        position = aggregates_pb2.SettlementPosition(participant_bic=bic, payment_count=count)
        position.unsettled_amount.amount_minor, position.unsettled_amount.currency_code = minor, "EUR"
        position.update_time.FromDatetime(datetime.now(UTC))
        await self.send("settlement", f"{bic}|EUR", position.SerializeToString())

    async def kyc(self, start: datetime, state: kyc_check_pb2.KycCheckState, count: int) -> None:
        window = _window(aggregates_pb2.KycOutcomeWindow(state=state, check_count=count), start)
        await self.send(
            "kyc", f"{rfc3339(start)}|{kyc_check_pb2.KycCheckState.Name(state)}", window.SerializeToString()
        )

    async def history(self, minutes: int = 12) -> None:
        """A quarter of an hour of traffic, so the charts have a past (deterministic, not random)."""
        now = minute()
        for back in range(minutes, 0, -1):
            start = now - timedelta(minutes=back)
            n = 6 + (back * 7) % 11
            await self.payments(start, P.PAYMENT_STATE_INITIATED, P.PAYMENT_CHANNEL_MOBILE_APP, n, n * 4_250)
            await self.payments(start, P.PAYMENT_STATE_INITIATED, P.PAYMENT_CHANNEL_WEB, n // 2, n * 1_900)
            await self.payments(start, P.PAYMENT_STATE_EXECUTED, P.PAYMENT_CHANNEL_MOBILE_APP, n - 1, (n - 1) * 4_250)
            await self.payments(start, P.PAYMENT_STATE_EXECUTED, P.PAYMENT_CHANNEL_WEB, n // 2 - 1, n * 1_500)
            await self.payments(start, P.PAYMENT_STATE_HELD_FOR_REVIEW, P.PAYMENT_CHANNEL_WEB, 1, 150_000)
            await self.payments(start, P.PAYMENT_STATE_REJECTED, P.PAYMENT_CHANNEL_WEB, back % 3, (back % 3) * 137)
            await self.decisions(start, "1", n - 2, 1, back % 3, 0.04 * (n - 2) + 0.6 + 0.9 * (back % 3))
            await self.decisions(start, "2", (n - 2) // 4, 0, 0, 0.03 * ((n - 2) // 4))  # a canary's share
            for state, count in ((kyc_check_pb2.KYC_CHECK_STATE_VERIFIED, 2 + back % 4),
                                 (kyc_check_pb2.KYC_CHECK_STATE_MANUAL_REVIEW, back % 2),
                                 (kyc_check_pb2.KYC_CHECK_STATE_REJECTED, 1 if back % 5 == 0 else 0)):  # fmt: skip
                if count:
                    await self.kyc(start, state, count)
        for bic, count, minor in (("COBADEFFXXX", 14, 1_254_300), ("BNPAFRPPXXX", 6, 512_000),
                                  ("INGBNL2AXXX", 3, 98_450), ("INTERNAL", 9, 301_255)):  # fmt: skip
            await self.position(bic, count, minor)
