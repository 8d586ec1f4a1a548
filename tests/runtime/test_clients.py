"""Outgoing calls: retries only where the contract allows them, a breaker per dependency, deadlines kept."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import grpc
import pytest
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc

from services.runtime.call_pipeline import inbound_deadline
from services.runtime.clients import ServiceClient, retry_service_config
from services.runtime.config import Settings
from services.runtime.errors import DeadlineExceeded, Unavailable
from services.runtime.tls import server_credentials
from tools.certs import ensure_certs


def _retried(domain: str) -> set[str]:
    config = json.loads(retry_service_config(domain))
    return {f"{n['service'].rsplit('.', 1)[1]}/{n['method']}" for c in config["methodConfig"] for n in c["name"]}


def test_only_calls_the_contract_declares_safe_are_retried():
    risk = _retried("risk")
    assert "FraudDetectionService/EvaluateTransactionFraud" in risk  # IDEMPOTENT: one assessment per payment
    assert "CreditRiskAssessmentService/RetrieveCreditAssessment" in risk  # NO_SIDE_EFFECTS
    assert "CreditRiskAssessmentService/EvaluateCreditRisk" not in risk  # creates an assessment
    assert "PaymentInitiationService/InitiatePayment" not in _retried("payments")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def unreachable_risk(settings: Settings) -> ServiceClient:
    """A client of a risk service that is down (nothing listens on its port)."""
    ensure_certs(settings)
    services = {**settings.services, "risk": settings.services["risk"].model_copy(update={"port": _free_port()})}
    client = ServiceClient("payments", "risk", settings=settings.model_copy(update={"services": services}), timeout=0.5)
    await client.start()
    return client


async def test_the_breaker_opens_after_repeated_failures_and_then_fails_fast(unreachable_risk: ServiceClient):
    stub = unreachable_risk.stub(fraud_grpc.FraudDetectionServiceStub)
    request = fraud.EvaluateTransactionFraudRequest()
    for _ in range(5):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await unreachable_risk.call(stub.EvaluateTransactionFraud, request)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    started = time.perf_counter()
    with pytest.raises(Unavailable) as opened:
        await unreachable_risk.call(stub.EvaluateTransactionFraud, request)
    assert time.perf_counter() - started < 0.05
    assert opened.value.metadata == {"dependency": "risk"}
    await unreachable_risk.close()


async def test_no_call_is_made_once_the_inbound_deadline_has_passed(unreachable_risk: ServiceClient):
    stub = unreachable_risk.stub(fraud_grpc.FraudDetectionServiceStub)
    token = inbound_deadline.set(time.monotonic() - 0.001)
    try:
        with pytest.raises(DeadlineExceeded):
            await unreachable_risk.call(stub.EvaluateTransactionFraud, fraud.EvaluateTransactionFraudRequest())
    finally:
        inbound_deadline.reset(token)
    await unreachable_risk.close()


async def test_calls_cancelled_by_their_callers_do_not_open_the_breaker(settings: Settings):
    """A client that disconnects cancels the calls its request made; the dependency did nothing wrong."""
    ensure_certs(settings)
    stalled = asyncio.Event()

    async def never_answers(request: bytes, context) -> bytes:
        stalled.set()
        await asyncio.Event().wait()
        return b""

    server = grpc.aio.server()
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "fintech.risk.v1.FraudDetectionService",
        {"EvaluateTransactionFraud": grpc.unary_unary_rpc_method_handler(never_answers)},
    )])  # fmt: skip
    port = server.add_secure_port("127.0.0.1:0", server_credentials("risk", settings))
    await server.start()
    services = {**settings.services, "risk": settings.services["risk"].model_copy(update={"port": port})}
    risk = ServiceClient("payments", "risk", settings=settings.model_copy(update={"services": services}), timeout=5)
    await risk.start()
    stub = risk.stub(fraud_grpc.FraudDetectionServiceStub)
    request = fraud.EvaluateTransactionFraudRequest()
    try:
        calls = [asyncio.create_task(risk.call(stub.EvaluateTransactionFraud, request)) for _ in range(8)]
        await asyncio.wait_for(stalled.wait(), 5)
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)
        # Still closed: the next call reaches the server (and times out there) instead of failing fast.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await risk.call(stub.EvaluateTransactionFraud, request, timeout=0.3)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        await risk.close()
        await server.stop(None)
