"""The local mesh's dev certificate authority and one X.509 SVID per workload (`make certs`).

Certificates look like Istio's workload certificates: an empty subject, one SPIFFE URI SAN
(`spiffe://<trust domain>/ns/<namespace>/sa/<workload>`, marked critical as RFC 5280 requires when
the subject is empty), serverAuth + clientAuth, ECDSA P-256. `localhost` and 127.0.0.1 are added so
that a client can also verify a local server by name.

Idempotent: a certificate is kept while it is valid for a while longer, signed by the current CA,
matches its key and names the expected identity; anything else is issued again.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import ipaddress
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from services.runtime.config import APPS, SERVICES, Settings, get_settings

WORKLOADS = (*SERVICES, *APPS, "edge-gateway", "cli")
# Infrastructure that calls no service (no policy names it as a caller): Redis and the rate limit serve with
# theirs; redis-exporter presents its own to Redis (tools/mesh/exporters.py).
INFRASTRUCTURE = ("redis", "ratelimit", "redis-exporter")
CA_VALIDITY = timedelta(days=365)
LEAF_VALIDITY = timedelta(days=30)
# Renew before expiry so that a running mesh never meets an expired certificate.
LEAF_RENEW_BEFORE = timedelta(days=7)
CA_RENEW_BEFORE = LEAF_VALIDITY + timedelta(days=1)
# Issued certificates start slightly in the past: tolerates clock skew between processes.
BACKDATE = timedelta(minutes=5)


def ensure_certs(settings: Settings | None = None) -> Path:
    """Create or renew the CA and every workload's certificate; return the certificates directory."""
    settings = settings or get_settings()
    certs_dir = settings.state_dir / "certs"
    certs_dir.mkdir(parents=True, exist_ok=True)
    with _locked(certs_dir):
        ca_cert, _ = _ensure_ca(certs_dir, settings.mesh.trust_domain)
        for workload in (*WORKLOADS, *INFRASTRUCTURE):
            spiffe_id = settings.spiffe_id(workload)
            host = settings.workload_host(workload)
            if not _leaf_is_current(certs_dir, workload, ca_cert, spiffe_id, host):
                issue_certificate(workload, certs_dir, spiffe_id=spiffe_id, host=host)
    return certs_dir


def issue_certificate(
    workload: str, certs_dir: Path, *, spiffe_id: str | None = None, host: str | None = None
) -> tuple[Path, Path]:
    """Issue `<workload>.pem` and `<workload>-key.pem` signed by the CA in certs_dir.

    spiffe_id defaults to the workload's id in the configured trust domain and namespace; tests pass
    another one to mint identities that no policy knows. host (the workload's DNS name, which its
    clients check) defaults to `Settings.workload_host`. localhost and 127.0.0.1 are in every
    certificate, for grpcurl and the load tools.
    """
    spiffe_id = spiffe_id or get_settings().spiffe_id(workload)
    host = host or get_settings().workload_host(workload)
    ca_cert, ca_key = _load_ca(certs_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    not_after = min(now + LEAF_VALIDITY, ca_cert.not_valid_after_utc)
    san = x509.SubjectAlternativeName(
        [
            x509.UniformResourceIdentifier(spiffe_id),
            x509.DNSName(host),
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, key_agreement=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(san, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = certs_dir / f"{workload}.pem", certs_dir / f"{workload}-key.pem"
    _write(key_path, _key_pem(key), mode=0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert_path, key_path


def _ensure_ca(certs_dir: Path, trust_domain: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    with contextlib.suppress(FileNotFoundError, ValueError):
        ca_cert, ca_key = _load_ca(certs_dir)
        if _ca_is_current(ca_cert, ca_key):
            return ca_cert, ca_key
    # A new CA: every leaf signed by the old one then fails _leaf_is_current and is issued again.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, trust_domain),
            x509.NameAttribute(NameOID.COMMON_NAME, "FinTech mesh dev CA"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(certs_dir / "ca-key.pem", _key_pem(key), mode=0o600)
    _write(certs_dir / "ca.pem", cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert, key


def _load_ca(certs_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert = x509.load_pem_x509_certificate((certs_dir / "ca.pem").read_bytes())
    key = serialization.load_pem_private_key((certs_dir / "ca-key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the CA key is not an ECDSA key")
    return cert, key


def _ca_is_current(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return constraints.ca and _same_key(cert, key) and _valid_for(cert, CA_RENEW_BEFORE) and cert.subject == cert.issuer


def _leaf_is_current(certs_dir: Path, workload: str, ca_cert: x509.Certificate, spiffe_id: str, host: str) -> bool:
    try:
        cert = x509.load_pem_x509_certificate((certs_dir / f"{workload}.pem").read_bytes())
        key = serialization.load_pem_private_key((certs_dir / f"{workload}-key.pem").read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
        uris = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (FileNotFoundError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    return (
        _same_key(cert, key)
        and _valid_for(cert, LEAF_RENEW_BEFORE)
        and uris.get_values_for_type(x509.UniformResourceIdentifier) == [spiffe_id]
        and host in uris.get_values_for_type(x509.DNSName)
    )


def _valid_for(cert: x509.Certificate, margin: timedelta) -> bool:
    now = datetime.now(UTC)
    return cert.not_valid_before_utc <= now and now + margin < cert.not_valid_after_utc


def _same_key(cert: x509.Certificate, key: object) -> bool:
    public = getattr(key, "public_key", None)
    return public is not None and public() == cert.public_key()


def _key_usage(**enabled: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: enabled.get(name, False) for name in names})


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _serial() -> int:
    # RFC 5280: positive, at most 20 octets; 159 random bits stays within both.
    return secrets.randbits(159) | 1


def _write(path: Path, data: bytes, *, mode: int) -> None:
    # Write then rename: a server starting meanwhile reads the old file or the new one, never half.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(fd, mode)  # the umask may have narrowed the mode given to open
        file.write(data)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(certs_dir: Path) -> Iterator[None]:
    # Several services may start at once and call ensure_certs; one of them issues, the rest reuse.
    with open(certs_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    certs_dir = ensure_certs()
    print(f"certificates for {', '.join(WORKLOADS)} in {certs_dir}")


if __name__ == "__main__":
    main()
