"""Around every RPC: contract validation, error mapping with rich details, deadlines and metrics."""

from __future__ import annotations

import grpc
import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as initiation_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.runtime.call_pipeline import CallPipeline, RequestValidation, remaining_timeout
from services.runtime.errors import NotFound

KNOWN = "0b5c3f1e-6d2a-4c8b-9e7f-1a2b3c4d5e6f"
BUGGY = "ffffffff-ffff-4fff-bfff-ffffffffffff"
UNKNOWN = "11111111-2222-4333-8444-555555555555"
DATABASE_DOWN = "22222222-3333-4444-8555-666666666666"


class Payments(initiation_grpc.PaymentInitiationServiceServicer):
    seen_budget: float | None = None

    async def RetrievePayment(self, request, context):  # noqa: N802 - generated name
        Payments.seen_budget = remaining_timeout(30.0)
        if request.payment_id == BUGGY:
            raise RuntimeError("database password is hunter2")  # must never reach the caller
        if request.payment_id == DATABASE_DOWN:  # a real refused connection, as while PostgreSQL restarts
            engine = create_async_engine("postgresql+asyncpg://nobody:secret@127.0.0.1:9/payments")
            try:
                async with engine.connect() as connection:
                    await connection.execute(text("select 1"))
            finally:
                await engine.dispose()
        if request.payment_id != KNOWN:
            raise NotFound(f"payment {request.payment_id} not found", metadata={"payment_id": request.payment_id})
        response = initiation.RetrievePaymentResponse()
        response.payment.payment_id = KNOWN
        return response


@pytest.fixture(scope="module")
async def stub():
    server = grpc.aio.server(interceptors=[CallPipeline("payments"), RequestValidation()])
    initiation_grpc.add_PaymentInitiationServiceServicer_to_server(Payments(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield initiation_grpc.PaymentInitiationServiceStub(channel)
    await server.stop(None)


def _details(error: grpc.aio.AioRpcError) -> dict[str, object]:
    status = rpc_status.from_call(error)
    found = {}
    for detail in status.details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.RequestInfo):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                found[kind.__name__] = message
    return found


def _handled(code: str) -> float:
    labels = {"grpc_service": "fintech.payments.v1.PaymentInitiationService", "grpc_method": "RetrievePayment"}
    return REGISTRY.get_sample_value("grpc_server_handled_total", {**labels, "grpc_code": code}) or 0.0


async def test_success_passes_through_and_is_counted(stub):
    before = _handled("OK")
    response = await stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=KNOWN), timeout=5)
    assert response.payment.payment_id == KNOWN
    assert _handled("OK") == before + 1


async def test_invalid_request_gets_field_violations_before_the_handler(stub):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id="42"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = _details(caught.value)
    assert details["ErrorInfo"].reason == "FIELD_VIOLATION"
    assert details["ErrorInfo"].domain == "payments.fintech.svc"
    assert [(v.field, v.description) for v in details["BadRequest"].field_violations] == [
        ("payment_id", "must be a valid uuid")
    ]


async def test_domain_error_keeps_its_code_reason_and_metadata(stub):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=UNKNOWN))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    info = _details(caught.value)["ErrorInfo"]
    assert (info.reason, dict(info.metadata)) == ("RESOURCE_NOT_FOUND", {"payment_id": UNKNOWN})


async def test_a_bug_is_internal_without_leaking_internals(stub):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RetrievePayment(
            initiation.RetrievePaymentRequest(payment_id=BUGGY), metadata=(("x-request-id", "req-77"),)
        )
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "hunter2" not in caught.value.details()
    assert _details(caught.value)["RequestInfo"].request_id == "req-77"


async def test_the_inbound_deadline_bounds_outgoing_calls(stub):
    await stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=KNOWN), timeout=1.5)
    # cut from the 30 s default to what the caller gave (gRPC rounds the wire timeout up slightly)
    assert Payments.seen_budget is not None and 0 < Payments.seen_budget < 1.6


async def test_a_dependency_that_refuses_connections_is_unavailable_not_a_bug(stub):
    """The database restarting is transient: UNAVAILABLE (the client retries), no internals in the message."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=DATABASE_DOWN), timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert _details(caught.value)["ErrorInfo"].reason == "DEPENDENCY_UNAVAILABLE"
    assert "127.0.0.1" not in caught.value.details() and "secret" not in caught.value.details()
