"""A steady payment load on the real payments service, recording every request's outcome.

Workers send on-us payments between a set of accounts, each with its own idempotency key, at a fixed
pace. A call that ends with a transient status (the service was down, a dependency was, the deadline
passed) is retried with the same key and the same request, as a real client would: the outcome of the
key is the first definitive answer, or the last refusal once the retries gave up. The records are what
the invariant checks compare with the ledger, the event store, Kafka and the consumers.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field

import grpc
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc
from fintech.payments.v1 import payment_pb2 as p

from services.runtime.config import Settings
from tests.people import person_credentials

# Worth a retry with the same key: the call may not have reached the service, or its outcome was lost.
TRANSIENT = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED,
             grpc.StatusCode.CANCELLED, grpc.StatusCode.RESOURCE_EXHAUSTED}  # fmt: skip
CALL_TIMEOUT = 10.0


@dataclass
class Request:
    """One payment order (one idempotency key) and everything that happened to it."""

    key: str
    debtor: str
    creditor: str
    amount: int
    attempts: list[str] = field(default_factory=list)  # status names, in order
    payment_id: str = ""  # from the first OK answer
    state: int = 0  # the payment's state in that answer
    final: str = ""  # the key's outcome: OK or a status name, "" while unresolved
    sent_at: float = 0.0
    done_at: float = 0.0

    def message(self) -> isvc.InitiatePaymentRequest:
        return isvc.InitiatePaymentRequest(
            idempotency_key=self.key,
            debtor_account_id=self.debtor,
            creditor_account_id=self.creditor,
            amount=Money(amount_minor=self.amount, currency_code="EUR"),
            channel=p.PAYMENT_CHANNEL_WEB,
        )


class PaymentLoad:
    """`workers` clients, each sending one payment every `interval` seconds until stopped."""

    def __init__(self, settings: Settings, accounts: list[str], *, workers: int = 2, interval: float = 1.0) -> None:
        self.settings = settings
        self.accounts = accounts
        self.workers = workers
        self.interval = interval
        self.requests: list[Request] = []
        self.last_ready: list[str] = []  # the components the mesh waited for last after the fault
        self.fault_window = (0.0, 0.0)  # when the fault began and ended (monotonic)
        self._random = random.Random(8)
        self._stopping = asyncio.Event()

    async def run(self, until: asyncio.Future) -> None:
        """Send until `until` is done, then finish every key that is still being retried."""
        credentials = person_credentials(self.settings, "teller")  # the bank's staff, paying for customers
        async with grpc.aio.secure_channel(self.settings.service("payments").address, credentials) as channel:
            stub = isvc_grpc.PaymentInitiationServiceStub(channel)
            senders = [asyncio.create_task(self._send(stub)) for _ in range(self.workers)]
            await until
            self._stopping.set()
            await asyncio.gather(*senders)

    async def _send(self, stub) -> None:
        while not self._stopping.is_set():
            debtor, creditor = self._random.sample(self.accounts, 2)
            # Above the fraud rules' small-payment mark (500): a burst of small ones looks like card testing.
            request = Request(f"chaos-{uuid.uuid4()}", debtor, creditor, self._random.randint(600, 5_000))
            self.requests.append(request)
            await self.settle(stub, request)
            await asyncio.sleep(self.interval)

    async def settle(self, stub, request: Request, retry_for: float = 120.0) -> None:
        """Call, and retry the same request on transient statuses, until a definitive answer."""
        request.sent_at = time.monotonic()
        deadline = request.sent_at + retry_for
        while True:
            try:
                response = await stub.InitiatePayment(request.message(), timeout=CALL_TIMEOUT)
            except grpc.aio.AioRpcError as error:
                request.attempts.append(error.code().name)
                if error.code() in TRANSIENT and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    continue
                request.final = error.code().name  # a transient one: the retries gave up
            else:
                request.attempts.append("OK")
                if request.payment_id and request.payment_id != response.payment.payment_id:
                    request.final = "SECOND PAYMENT"  # a retry that made a new payment: a duplicate
                else:
                    request.payment_id, request.state, request.final = (
                        response.payment.payment_id, response.payment.state, "OK"
                    )  # fmt: skip
            request.done_at = time.monotonic()
            return

    async def replay(self, sample: int = 20) -> list[tuple[Request, str]]:
        """Send already answered requests again with their keys: each must give back the same payment."""
        answered = [r for r in self.requests if r.final == "OK"]
        mismatches = []
        credentials = person_credentials(self.settings, "teller")  # the same person: keys are per caller
        async with grpc.aio.secure_channel(self.settings.service("payments").address, credentials) as channel:
            stub = isvc_grpc.PaymentInitiationServiceStub(channel)
            for request in self._random.sample(answered, min(sample, len(answered))):
                response = await stub.InitiatePayment(request.message(), timeout=CALL_TIMEOUT)
                if response.payment.payment_id != request.payment_id:
                    mismatches.append((request, response.payment.payment_id))
        return mismatches

    def first_success_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first request sent after it that was answered OK at once."""
        times = [r.done_at for r in self.requests if r.sent_at >= moment and r.attempts[:1] == ["OK"]]
        return min(times) - moment if times else None
