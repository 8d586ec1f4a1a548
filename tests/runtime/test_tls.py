"""mTLS and authorization on a real grpc.aio server: handshakes, TLS versions, allowed and refused callers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from google.rpc import code_pb2, error_details_pb2
from grpc_status import rpc_status

from services.runtime import tls
from services.runtime.authz import AuthorizationInterceptor, PolicySet
from services.runtime.config import ROOT, MeshSettings, Settings
from tools import certs

ECHO = "fintech.test.v1.EchoService"
FRAUD = "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud"
HEALTH = "/grpc.health.v1.Health/Check"
SPIFFE = "spiffe://cluster.local/ns/fintech/sa/"
# The shipped policies, plus one letting payments call the test service on risk.
TEST_POLICY = f"""
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: echo, namespace: fintech}}
spec:
  selector: {{matchLabels: {{app: risk}}}}
  rules:
    - from: [{{source: {{principals: [cluster.local/ns/fintech/sa/payments]}}}}]
      to: [{{operation: {{paths: ["/{ECHO}/*"]}}}}]
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    state_dir = tmp_path_factory.mktemp("state")
    settings = Settings(mesh=MeshSettings(state_dir=state_dir))
    certs_dir = certs.ensure_certs(settings)
    certs.issue_certificate("intruder", certs_dir, spiffe_id=SPIFFE + "intruder")
    mint(certs_dir, "two-ids", [x509.UniformResourceIdentifier(SPIFFE + n) for n in ("payments", "risk")])
    return settings


@pytest.fixture(scope="module")
def policies(tmp_path_factory) -> PolicySet:
    extra = tmp_path_factory.mktemp("policies")
    (extra / "echo.yaml").write_text(TEST_POLICY)
    return PolicySet([*PolicySet.load(ROOT / "istio").policies, *PolicySet.load(extra).policies])


def mint(certs_dir: Path, name: str, names: list[x509.GeneralName]) -> None:
    """A certificate from the dev CA with any SANs (tools.certs only issues well-formed SVIDs)."""
    ca = x509.load_pem_x509_certificate((certs_dir / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((certs_dir / "ca-key.pem").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([*names, x509.DNSName("localhost")]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (certs_dir / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (certs_dir / f"{name}-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


# The test service: every handler kind, echoing raw bytes (no serializers).
async def unary(request: bytes, context) -> bytes:
    return request


async def server_stream(request: bytes, context) -> AsyncIterator[bytes]:
    for _ in range(2):
        yield request


async def server_stream_writer(request: bytes, context) -> None:
    await context.write(request)


async def client_stream(requests, context) -> bytes:
    return b"".join([request async for request in requests])


async def bidi_stream(requests, context) -> AsyncIterator[bytes]:
    async for request in requests:
        yield request


HANDLERS = [
    grpc.method_handlers_generic_handler(
        ECHO,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
            "ServerStreamWriter": grpc.unary_stream_rpc_method_handler(server_stream_writer),
            "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
            "BidiStream": grpc.stream_stream_rpc_method_handler(bidi_stream),
        },
    ),
    grpc.method_handlers_generic_handler(
        "fintech.risk.v1.FraudDetectionService",
        {"EvaluateTransactionFraud": grpc.unary_unary_rpc_method_handler(unary)},
    ),
    grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(unary)}
    ),
]


@contextlib.asynccontextmanager
async def risk_server(policies: PolicySet, settings: Settings, mode: str = "local") -> AsyncIterator[str]:
    server = grpc.aio.server(interceptors=[AuthorizationInterceptor(policies, "risk", mode)])
    server.add_generic_rpc_handlers(HANDLERS)
    if mode == "local":
        port = server.add_secure_port("127.0.0.1:0", tls.server_credentials("risk", settings))
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


@pytest.fixture(scope="module")
async def local_server(policies: PolicySet, settings: Settings) -> AsyncIterator[str]:
    async with risk_server(policies, settings) as address:
        yield address


def channel(address: str, workload: str, settings: Settings) -> grpc.aio.Channel:
    return grpc.aio.secure_channel(address, tls.channel_credentials(workload, settings))


async def call_every_kind(ch: grpc.aio.Channel) -> list[object]:
    async def requests():
        yield b"a"
        yield b"b"

    timeout = 5
    return [
        await ch.unary_unary(f"/{ECHO}/Unary")(b"x", timeout=timeout),
        [r async for r in ch.unary_stream(f"/{ECHO}/ServerStream")(b"x", timeout=timeout)],
        [r async for r in ch.unary_stream(f"/{ECHO}/ServerStreamWriter")(b"x", timeout=timeout)],
        await ch.stream_unary(f"/{ECHO}/ClientStream")(requests(), timeout=timeout),
        [r async for r in ch.stream_stream(f"/{ECHO}/BidiStream")(requests(), timeout=timeout)],
    ]


async def error_info(call) -> tuple[grpc.StatusCode, error_details_pb2.ErrorInfo]:
    status = await rpc_status.aio.from_call(call)
    assert status is not None, "no google.rpc.Status in the trailers"
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return await call.code(), info


async def test_allowed_workload_calls_every_handler_kind(local_server: str, settings: Settings):
    async with channel(local_server, "payments", settings) as ch:
        assert await call_every_kind(ch) == [b"x", [b"x", b"x"], [b"x"], b"ab", [b"a", b"b"]]
        assert await ch.unary_unary(FRAUD)(b"tx", timeout=5) == b"tx"


@pytest.mark.parametrize("kind", ["unary_unary", "unary_stream", "stream_unary", "stream_stream"])
async def test_unknown_identity_is_refused_on_every_handler_kind(local_server, settings, kind):
    method = {
        "unary_unary": "Unary",
        "unary_stream": "ServerStream",
        "stream_unary": "ClientStream",
        "stream_stream": "BidiStream",
    }[kind]
    async with channel(local_server, "intruder", settings) as ch:
        multicallable = getattr(ch, kind)(f"/{ECHO}/{method}")
        request = b"x" if kind.startswith("unary") else iter([b"x"])
        call = multicallable(request, timeout=5)
        with pytest.raises(grpc.aio.AioRpcError):
            if kind.endswith("stream"):
                [r async for r in call]
            else:
                await call
        code, info = await error_info(call)
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert info.reason == "CALLER_NOT_ALLOWED"
    assert info.domain == "risk.fintech.svc"
    assert dict(info.metadata) == {
        "principal": "cluster.local/ns/fintech/sa/intruder",
        "method": f"/{ECHO}/{method}",
    }


def sync_refusal(local_server: str, settings: Settings) -> None:
    ch = grpc.secure_channel(local_server, tls.channel_credentials("customer", settings))
    with ch, pytest.raises(grpc.RpcError) as refused:
        ch.unary_unary(FRAUD)(b"tx", timeout=5)
    status = rpc_status.from_call(refused.value)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert status.code == code_pb2.PERMISSION_DENIED
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    assert (info.reason, info.metadata["principal"]) == ("CALLER_NOT_ALLOWED", "cluster.local/ns/fintech/sa/customer")


async def test_refusal_is_readable_with_the_sync_api(local_server: str, settings: Settings):
    # A sync client, as the SDK uses; in a thread, since the server runs on this test's loop.
    await asyncio.to_thread(sync_refusal, local_server, settings)


async def test_mesh_workload_may_check_health(local_server: str, settings: Settings):
    async with channel(local_server, "ml", settings) as ch:
        assert await ch.unary_unary(HEALTH)(b"", timeout=5) == b""


async def test_unknown_method_is_unimplemented(local_server: str, settings: Settings):
    async with channel(local_server, "payments", settings) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await ch.unary_unary(f"/{ECHO}/Missing")(b"x", timeout=5)
    assert failed.value.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_certificate_without_a_spiffe_id_is_unauthenticated(local_server: str, settings: Settings):
    # Two URI SANs: grpc sets no peer_spiffe_id, so the caller has no identity.
    async with channel(local_server, "two-ids", settings) as ch:
        call = ch.unary_unary(f"/{ECHO}/Unary")(b"x", timeout=5)
        with pytest.raises(grpc.aio.AioRpcError):
            await call
        code, info = await error_info(call)
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert info.reason == "UNAUTHENTICATED"


async def test_no_client_certificate_fails_the_handshake(local_server: str, settings: Settings):
    ca = (settings.state_dir / "certs" / "ca.pem").read_bytes()
    async with grpc.aio.secure_channel(local_server, grpc.ssl_channel_credentials(ca)) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await ch.unary_unary(HEALTH)(b"", timeout=5)
    assert failed.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_certificate_from_another_ca_fails_the_handshake(local_server, settings, tmp_path):
    other = certs.ensure_certs(Settings(mesh=MeshSettings(state_dir=tmp_path)))
    ca = (settings.state_dir / "certs" / "ca.pem").read_bytes()
    credentials = grpc.ssl_channel_credentials(
        ca, (other / "payments-key.pem").read_bytes(), (other / "payments.pem").read_bytes()
    )
    async with grpc.aio.secure_channel(local_server, credentials) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await ch.unary_unary(FRAUD)(b"tx", timeout=5)
    assert failed.value.code() == grpc.StatusCode.UNAVAILABLE


def test_missing_certificates_name_the_fix(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="make certs"):
        tls.server_credentials("risk", Settings(mesh=MeshSettings(state_dir=tmp_path)))


# TLS versions. grpc core reads its cipher list when grpc is first imported, so the server runs in
# a fresh process that starts the way a service does: grpc_env.configure() before grpc is imported.
SERVER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from services.runtime import grpc_env
    grpc_env.configure()
    from services.runtime import tls
    import grpc

    async def main():
        server = grpc.aio.server()
        port = server.add_secure_port("127.0.0.1:0", tls.server_credentials("risk"))
        await server.start()
        print(port, tls.tls13_enforced(), flush=True)
        await asyncio.to_thread(sys.stdin.read)
        await server.stop(None)

    asyncio.run(main())
    """
)


@contextlib.contextmanager
def server_process(settings: Settings, cipher_suites: str | None):
    env = {k: v for k, v in os.environ.items() if k != "GRPC_SSL_CIPHER_SUITES"}
    env["FINTECH_MESH__STATE_DIR"] = str(settings.state_dir)
    if cipher_suites:
        env["GRPC_SSL_CIPHER_SUITES"] = cipher_suites
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_PROCESS],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port, enforced = process.stdout.readline().split()
        yield int(port), enforced == "True"
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def handshake(port: int, version: ssl.TLSVersion, settings: Settings) -> str:
    """Connect with the cli certificate at exactly `version`; return the version and prove h2 runs."""
    certs_dir = settings.state_dir / "certs"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(certs_dir / "ca.pem")
    context.load_cert_chain(certs_dir / "cli.pem", certs_dir / "cli-key.pem")
    context.minimum_version = context.maximum_version = version
    context.set_alpn_protocols(["h2"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as conn,
    ):
        # HTTP/2 preface and an empty SETTINGS frame; the server answers with its SETTINGS frame
        # only once it has accepted the client certificate.
        conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        frame = conn.recv(9)
        assert len(frame) == 9 and frame[3] == 0x04, frame
        return conn.version()


def test_tls_1_2_is_refused_and_tls_1_3_accepted(settings: Settings):
    with server_process(settings, cipher_suites=None) as (port, enforced):
        assert enforced
        assert handshake(port, ssl.TLSVersion.TLSv1_3, settings) == "TLSv1.3"
        with pytest.raises((ssl.SSLError, ConnectionError)):
            handshake(port, ssl.TLSVersion.TLSv1_2, settings)


def test_the_tls_1_2_probe_would_notice_tls_1_2(settings: Settings):
    # The control: with a TLS 1.2 cipher allowed, the same probe connects at TLS 1.2.
    with server_process(settings, cipher_suites="ECDHE-ECDSA-AES128-GCM-SHA256") as (port, enforced):
        assert not enforced
        assert handshake(port, ssl.TLSVersion.TLSv1_2, settings) == "TLSv1.2"


def test_importing_the_services_sets_no_environment():
    # The cipher list is the entry point's business (grpc_env.configure()), not an import's side effect.
    env = {k: v for k, v in os.environ.items() if k != "GRPC_SSL_CIPHER_SUITES"}
    code = (
        "import os, services, services.runtime.app, services.runtime.tls, services.risk.main\n"
        "assert 'GRPC_SSL_CIPHER_SUITES' not in os.environ, os.environ['GRPC_SSL_CIPHER_SUITES']\n"
        "assert not services.runtime.tls.tls13_enforced()"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# Cluster mode: plaintext behind the sidecar, the caller in x-forwarded-client-cert.
def xfcc(*workloads: str) -> tuple[tuple[str, str], ...]:
    elements = [f'By={SPIFFE}risk;Hash=ab12;Subject="";URI={SPIFFE}{w}' for w in workloads]
    return (("x-forwarded-client-cert", ",".join(elements)),)


@pytest.fixture(scope="module")
async def cluster_server(policies: PolicySet, settings: Settings) -> AsyncIterator[str]:
    async with risk_server(policies, settings, mode="cluster") as address:
        yield address


async def test_cluster_mode_reads_the_caller_from_xfcc(cluster_server: str):
    async with grpc.aio.insecure_channel(cluster_server) as ch:
        assert await ch.unary_unary(FRAUD)(b"tx", metadata=xfcc("payments"), timeout=5) == b"tx"
        # A forged element sent by the caller comes before the one the sidecar appends.
        call = ch.unary_unary(FRAUD)(b"tx", metadata=xfcc("payments", "customer"), timeout=5)
        with pytest.raises(grpc.aio.AioRpcError):
            await call
        code, info = await error_info(call)
    assert (code, info.metadata["principal"]) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "cluster.local/ns/fintech/sa/customer",
    )


async def test_cluster_mode_without_xfcc(cluster_server: str):
    async with grpc.aio.insecure_channel(cluster_server) as ch:
        call = ch.unary_unary(FRAUD)(b"tx", timeout=5)
        with pytest.raises(grpc.aio.AioRpcError):
            await call
        code, info = await error_info(call)
        assert (code, info.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")
        # ... except the kubelet's health probe, which Istio's agent sends from inside the pod.
        assert await ch.unary_unary(HEALTH)(b"", timeout=5) == b""


def expecting(address: str, server: str, settings: Settings) -> grpc.aio.Channel:
    """A payments client channel that, as the runtime's ServiceClient does, checks the server is `server`."""
    options = tls.server_identity_options(server, settings)
    return grpc.aio.secure_channel(address, tls.channel_credentials("payments", settings), options)


async def test_a_client_accepts_only_the_server_it_calls(local_server: str, settings: Settings):
    # The server on this port holds risk's certificate: the one that calls risk gets through...
    async with expecting(local_server, "risk", settings) as ch:
        assert await ch.unary_unary(FRAUD)(b"tx", timeout=5) == b"tx"
    # ... one that meant to call customer refuses it in the handshake: another workload's valid
    # certificate does not pass for customer (no request is sent).
    async with expecting(local_server, "customer", settings) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await ch.unary_unary(FRAUD)(b"tx", timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
