"""Admission control: past a method's limit of calls in progress, calls wait for a slot or are refused
with RESOURCE_EXHAUSTED (reason OVERLOADED, a retry delay) before the handler runs."""

from __future__ import annotations

import asyncio
import contextlib

import grpc
import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as initiation_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.runtime.admission import AdmissionControl
from services.runtime.call_pipeline import CallPipeline
from services.runtime.config import AdmissionLimit

PAYMENT = "0b5c3f1e-6d2a-4c8b-9e7f-1a2b3c4d5e6f"


class Payments(initiation_grpc.PaymentInitiationServiceServicer):
    """RetrievePayment holds its slot until released; ListPayments has no limit."""

    def __init__(self) -> None:
        self.started = 0
        self.release = asyncio.Event()

    async def RetrievePayment(self, request, context):  # noqa: N802 - generated name
        self.started += 1
        await self.release.wait()
        return initiation.RetrievePaymentResponse()

    async def ListPayments(self, request, context):  # noqa: N802 - generated name
        return initiation.ListPaymentsResponse()


@contextlib.asynccontextmanager
async def _serving(max_wait_seconds: float):
    """The servicer behind admission control (at most 2 RetrievePayment calls), a stub, and the control."""
    servicer = Payments()
    control = AdmissionControl({"RetrievePayment": AdmissionLimit(max_in_flight=2, max_wait_seconds=max_wait_seconds)})
    server = grpc.aio.server(interceptors=[CallPipeline("payments"), control])
    initiation_grpc.add_PaymentInitiationServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield servicer, initiation_grpc.PaymentInitiationServiceStub(channel), control
    finally:
        servicer.release.set()
        await server.stop(None)


@pytest.fixture
async def gated():
    async with _serving(max_wait_seconds=0.3) as (servicer, stub, _):
        yield servicer, stub


def _retrieve(stub, timeout: float = 5.0):
    return asyncio.ensure_future(stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=PAYMENT),
                                                      timeout=timeout))  # fmt: skip


async def _until(condition) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


def _queued(control: AdmissionControl, method: str) -> int:
    """Calls waiting in line at a method's gate."""
    return control.gate(method).waiting


async def test_a_call_past_the_limit_waits_for_a_slot():
    # A long allowed wait: the third call still waits when the slots free, however busy the machine.
    async with _serving(max_wait_seconds=30.0) as (servicer, stub, control):
        first, second = _retrieve(stub, timeout=60), _retrieve(stub, timeout=60)
        await _until(lambda: servicer.started == 2)
        third = _retrieve(stub, timeout=60)
        await _until(lambda: _queued(control, "RetrievePayment") == 1)  # it reached the gate and waits there
        assert servicer.started == 2  # waiting, not running
        servicer.release.set()  # the first two finish and free their slots
        await asyncio.gather(first, second, third)
        assert servicer.started == 3
        assert _queued(control, "RetrievePayment") == 0


async def test_no_slot_within_the_wait_is_refused_with_a_retry_delay_and_nothing_run(gated):
    servicer, stub = gated
    holders = [_retrieve(stub), _retrieve(stub)]
    await _until(lambda: servicer.started == 2)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _retrieve(stub)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    details = {}
    for detail in rpc_status.from_call(refused.value).details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.RetryInfo):
            if detail.Is(kind.DESCRIPTOR):
                details[kind] = kind()
                detail.Unpack(details[kind])
    assert details[error_details_pb2.ErrorInfo].reason == "OVERLOADED"
    assert details[error_details_pb2.RetryInfo].retry_delay.ToMilliseconds() == 300
    assert servicer.started == 2  # the refused call never reached the handler
    servicer.release.set()
    await asyncio.gather(*holders)


async def test_the_wait_never_outlasts_the_callers_deadline(gated):
    servicer, stub = gated
    servicer_limit_wait = 0.3
    holders = [_retrieve(stub), _retrieve(stub)]
    await _until(lambda: servicer.started == 2)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _retrieve(stub, timeout=servicer_limit_wait / 2)  # shorter than the allowed wait
    # The service answers before the deadline passes: the caller learns it was refused, not timed out.
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    servicer.release.set()
    await asyncio.gather(*holders)


async def test_methods_without_a_limit_pass_straight_through(gated):
    servicer, stub = gated
    holders = [_retrieve(stub), _retrieve(stub)]
    await _until(lambda: servicer.started == 2)
    await stub.ListPayments(initiation.ListPaymentsRequest(), timeout=1)  # not queued behind the full method
    servicer.release.set()
    await asyncio.gather(*holders)
