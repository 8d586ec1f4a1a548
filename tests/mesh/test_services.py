"""The running mesh: reflection, mTLS, the istio/ policies enforced locally, and health that tells the truth."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import grpc
import pytest
from fintech.customer.v1 import customer_onboarding_service_pb2 as onboarding
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as onboarding_grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from services.runtime.config import ROOT, SERVICES, Settings
from services.runtime.contracts import has_contracts
from services.runtime.tls import certs_dir
from tests.contracts.conftest import load_contracts
from tools.certs import issue_certificate

pytestmark = pytest.mark.mesh()
GRPCURL = ROOT / ".tools" / "bin" / "grpcurl"
CUSTOMER_ID = "5d1c9a7e-3b2f-4c6d-8e9a-0f1b2c3d4e5f"


def _credentials(cert: Path, key: Path, ca: Path) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(ca.read_bytes(), key.read_bytes(), cert.read_bytes())


def _workload_credentials(settings: Settings, workload: str) -> grpc.ChannelCredentials:
    certs = certs_dir(settings)
    return _credentials(certs / f"{workload}.pem", certs / f"{workload}-key.pem", certs / "ca.pem")


def _grpcurl(settings: Settings, service: str, *args: str, workload: str = "cli") -> subprocess.CompletedProcess:
    certs = certs_dir(settings)
    tls = ["-cacert", certs / "ca.pem", "-cert", certs / f"{workload}.pem", "-key", certs / f"{workload}-key.pem"]
    address = settings.service(service).address
    return subprocess.run([GRPCURL, *map(str, tls), address, *args], capture_output=True, text=True, timeout=30)


def _health(settings: Settings, service: str, credentials: grpc.ChannelCredentials, name: str = "") -> int:
    with grpc.secure_channel(settings.service(service).address, credentials) as channel:
        request = health_pb2.HealthCheckRequest(service=name)
        return health_pb2_grpc.HealthStub(channel).Check(request, timeout=5).status


# The lake has no gRPC API of its own (no contracts): health alone.
@pytest.mark.parametrize("service", [name for name in SERVICES if has_contracts(name)])
def test_grpcurl_lists_every_service_through_reflection(settings: Settings, service: str):
    result = _grpcurl(settings, service, "list")
    assert result.returncode == 0, result.stderr
    expected = {s.full_name for s in load_contracts().services() if s.file.package == f"fintech.{service}.v1"}
    listed = set(result.stdout.split())
    assert expected and expected <= listed
    assert "grpc.health.v1.Health" in listed
    described = _grpcurl(settings, service, "describe", sorted(expected)[0])
    assert described.returncode == 0 and "rpc " in described.stdout


def test_a_call_without_a_client_certificate_fails(settings: Settings):
    ca_only = grpc.ssl_channel_credentials((certs_dir(settings) / "ca.pem").read_bytes())
    with pytest.raises(grpc.RpcError) as caught:
        _health(settings, "payments", ca_only)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def test_an_identity_no_policy_allows_is_denied_and_an_allowed_one_succeeds(settings: Settings, tmp_path: Path):
    cert, key = issue_certificate("intruder", certs_dir(settings))
    try:
        intruder = _credentials(cert, key, certs_dir(settings) / "ca.pem")
        with pytest.raises(grpc.RpcError) as caught:
            _health(settings, "payments", intruder)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        info = error_details_pb2.ErrorInfo()
        rpc_status.from_call(caught.value).details[0].Unpack(info)
        assert info.reason == "CALLER_NOT_ALLOWED"
        assert info.metadata["principal"].endswith("/sa/intruder")
    finally:
        cert.unlink()
        key.unlink()
    allowed = _workload_credentials(settings, "cli")
    assert _health(settings, "payments", allowed) == health_pb2.HealthCheckResponse.SERVING


def test_an_internal_rpc_is_open_to_its_caller_only(settings: Settings):
    """payments may ask customer for a verification state; the edge may not reach that internal RPC."""
    request = onboarding.RetrieveCustomerVerificationRequest(customer_id=CUSTOMER_ID)
    outcomes = {}
    for workload in ("payments", "edge-gateway", "risk"):
        credentials = _workload_credentials(settings, workload)
        with grpc.secure_channel(settings.service("customer").address, credentials) as channel:
            stub = onboarding_grpc.CustomerOnboardingServiceStub(channel)
            try:
                stub.RetrieveCustomerVerification(request, timeout=5)
                outcomes[workload] = grpc.StatusCode.OK
            except grpc.RpcError as error:
                outcomes[workload] = error.code()
    # Past the policy, payments reaches the service itself, which answers.
    assert outcomes["payments"] == grpc.StatusCode.OK
    assert outcomes["edge-gateway"] == grpc.StatusCode.PERMISSION_DENIED
    assert outcomes["risk"] == grpc.StatusCode.PERMISSION_DENIED


async def _wait_for_status(settings: Settings, service: str, wanted: int, timeout: float = 30.0) -> float:
    """Seconds until the service's health (overall and per gRPC service) reports `wanted`."""
    credentials = _workload_credentials(settings, "cli")
    name = next(s.full_name for s in load_contracts().services() if s.file.package == f"fintech.{service}.v1")
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < timeout:
        statuses = [await asyncio.to_thread(_health, settings, service, credentials, n) for n in ("", name)]
        if statuses == [wanted, wanted]:
            return loop.time() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"{service} did not report {health_pb2.HealthCheckResponse.ServingStatus.Name(wanted)}")


async def test_health_follows_the_database(mesh, settings: Settings):
    serving, not_serving = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
    await _wait_for_status(settings, "customer", serving)
    await asyncio.to_thread(mesh.stop, "postgres")
    try:
        await _wait_for_status(settings, "customer", not_serving)
    finally:
        await asyncio.to_thread(mesh.start, "postgres")
    await _wait_for_status(settings, "customer", serving)
