"""Mutual TLS credentials of the local mesh: every server requires a client certificate from the dev CA.

TLS 1.3 only. grpc's Python SSL credentials expose no TLS version setting (the C core's
`grpc_tls_credentials_options_set_min_tls_version` is not wrapped, and the extension module exports
no C symbols to reach it). What the core does read is the cipher list, from the environment variable
GRPC_SSL_CIPHER_SUITES, once, when grpc is first imported. BoringSSL applies that list to TLS 1.2 and
below only (TLS 1.3 suites are not configurable and always on) and refuses a list without any TLS 1.2
suite. So the list holds a single TLS 1.2 suite that can never be negotiated: ECDHE-PSK needs a
pre-shared-key callback, which gRPC never installs. A TLS 1.2 ClientHello then finds no shared cipher
and the handshake fails; TLS 1.3 is unaffected. tests/runtime/test_tls.py proves both against a
real server.

A service's entry point sets the variable before it imports grpc (services/runtime/grpc_env.py), and the
mesh launcher passes it to the services it starts; a process that imported grpc without the variable in
its environment still speaks TLS 1.2, and server_credentials() warns about it (tls13_enforced() tells).
In cluster mode none of this applies: servers are plaintext behind the Istio sidecar, whose mesh config
sets TLS 1.3.
"""

from __future__ import annotations

import logging
from pathlib import Path

import grpc

from services.runtime import grpc_env
from services.runtime.config import Settings, get_settings

log = logging.getLogger(__name__)


def certs_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).state_dir / "certs"


def tls13_enforced() -> bool:
    """Whether grpc in this process was configured, before its import, to refuse TLS 1.2."""
    return grpc_env.tls13_only()


def server_credentials(workload: str, settings: Settings | None = None) -> grpc.ServerCredentials:
    """The workload's certificate as a server; callers must present a certificate from the dev CA."""
    ca, key, cert = _read(workload, settings)
    if not tls13_enforced():
        log.warning(
            "grpc was imported before grpc_env.configure() and without GRPC_SSL_CIPHER_SUITES=%s in the "
            "environment: this server also accepts TLS 1.2",
            grpc_env.TLS13_CIPHER_SUITES,
        )
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca, require_client_auth=True)


def channel_credentials(workload: str, settings: Settings | None = None) -> grpc.ChannelCredentials:
    """The calling workload's certificate as a client, trusting only the dev CA."""
    ca, key, cert = _read(workload, settings)
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)


def server_identity_options(target: str, settings: Settings | None = None) -> list[tuple[str, str]]:
    """Channel options that make the TLS handshake check the server is `target`: its certificate must
    carry the target's DNS name (`Settings.workload_host`), which only the target's certificate has.
    Without them any workload's certificate from the CA would pass for any server on 127.0.0.1."""
    return [("grpc.ssl_target_name_override", (settings or get_settings()).workload_host(target))]


def _read(workload: str, settings: Settings | None) -> tuple[bytes, bytes, bytes]:
    directory = certs_dir(settings)
    paths = (directory / "ca.pem", directory / f"{workload}-key.pem", directory / f"{workload}.pem")
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"no certificate for {workload!r} ({', '.join(missing)}): run `make certs`")
    ca, key, cert = (path.read_bytes() for path in paths)
    return ca, key, cert
