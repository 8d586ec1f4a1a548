"""The dev CA and workload certificates: contents, chain and the rules for issuing them again."""

from __future__ import annotations

import ipaddress
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from services.runtime.config import ROOT, MeshSettings, Settings
from tools import certs


def settings_for(state_dir: Path, trust_domain: str = "cluster.local") -> Settings:
    return Settings(mesh=MeshSettings(state_dir=state_dir, trust_domain=trust_domain))


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def snapshot(certs_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in certs_dir.glob("*.pem")}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


def test_files_and_key_permissions(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    assert certs_dir == settings.state_dir / "certs"
    issued = (*certs.WORKLOADS, *certs.INFRASTRUCTURE)
    expected = {"ca.pem", "ca-key.pem"} | {f"{w}.pem" for w in issued}
    expected |= {f"{w}-key.pem" for w in issued}
    assert set(snapshot(certs_dir)) == expected
    for name in expected:
        mode = stat.S_IMODE((certs_dir / name).stat().st_mode)
        assert mode == (0o600 if name.endswith("-key.pem") else 0o644), name


@pytest.mark.parametrize("workload", (*certs.WORKLOADS, *certs.INFRASTRUCTURE))
def test_workload_certificate_is_an_svid(settings: Settings, workload: str):
    certs_dir = certs.ensure_certs(settings)
    ca, cert = load(certs_dir / "ca.pem"), load(certs_dir / f"{workload}.pem")
    cert.verify_directly_issued_by(ca)

    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical  # the subject is empty, as in Istio's certificates (RFC 5280 4.2.1.6)
    assert cert.subject == x509.Name([])
    assert san.value.get_values_for_type(x509.UniformResourceIdentifier) == [
        f"spiffe://cluster.local/ns/fintech/sa/{workload}"
    ]
    # The service's DNS name, which its clients check the server against; localhost for the tools.
    assert san.value.get_values_for_type(x509.DNSName) == [f"{workload}.fintech.svc.cluster.local", "localhost"]
    assert san.value.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]

    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign

    key = serialization.load_pem_private_key((certs_dir / f"{workload}-key.pem").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert key.public_key() == cert.public_key()
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime <= certs.LEAF_VALIDITY + certs.BACKDATE


def test_ca_certificate(settings: Settings):
    ca = load(certs.ensure_certs(settings) / "ca.pem")
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    ca.verify_directly_issued_by(ca)
    assert ca.not_valid_after_utc - datetime.now(UTC) > timedelta(days=360)


def test_valid_certificates_are_kept(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    before = snapshot(certs_dir)
    certs.ensure_certs(settings)
    assert snapshot(certs_dir) == before


def test_a_missing_certificate_is_issued_again(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    before = snapshot(certs_dir)
    (certs_dir / "risk-key.pem").unlink()
    certs.ensure_certs(settings)
    after = snapshot(certs_dir)
    assert after["risk.pem"] != before["risk.pem"]
    assert {k: v for k, v in after.items() if not k.startswith("risk")} == {
        k: v for k, v in before.items() if not k.startswith("risk")
    }


def test_a_certificate_without_its_service_host_is_issued_again(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    certs.issue_certificate("risk", certs_dir, spiffe_id=settings.spiffe_id("risk"), host="localhost")  # as before
    certs.ensure_certs(settings)
    names = load(certs_dir / "risk.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "risk.fintech.svc.cluster.local" in names.get_values_for_type(x509.DNSName)


def test_a_certificate_close_to_expiry_is_issued_again(settings: Settings, monkeypatch):
    certs_dir = certs.ensure_certs(settings)
    with monkeypatch.context() as patch:
        patch.setattr(certs, "LEAF_VALIDITY", timedelta(days=2))
        certs.issue_certificate("ml", certs_dir, spiffe_id=settings.spiffe_id("ml"))
    assert load(certs_dir / "ml.pem").not_valid_after_utc < datetime.now(UTC) + certs.LEAF_RENEW_BEFORE
    certs.ensure_certs(settings)
    assert load(certs_dir / "ml.pem").not_valid_after_utc > datetime.now(UTC) + timedelta(days=29)


def test_a_new_ca_reissues_every_certificate(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    before = snapshot(certs_dir)
    (certs_dir / "ca-key.pem").unlink()
    certs.ensure_certs(settings)
    after = snapshot(certs_dir)
    assert all(after[name] != before[name] for name in before)
    ca = load(certs_dir / "ca.pem")
    for workload in certs.WORKLOADS:
        load(certs_dir / f"{workload}.pem").verify_directly_issued_by(ca)


def test_a_certificate_from_another_ca_is_issued_again(settings: Settings, tmp_path: Path):
    certs_dir = certs.ensure_certs(settings)
    other = certs.ensure_certs(settings_for(tmp_path / "other"))
    for name in ("payments.pem", "payments-key.pem"):
        (certs_dir / name).write_bytes((other / name).read_bytes())
    certs.ensure_certs(settings)
    load(certs_dir / "payments.pem").verify_directly_issued_by(load(certs_dir / "ca.pem"))


def test_another_trust_domain_reissues_the_identities(tmp_path: Path):
    certs_dir = certs.ensure_certs(settings_for(tmp_path))
    certs.ensure_certs(settings_for(tmp_path, trust_domain="bank.example"))
    san = load(certs_dir / "cli.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://bank.example/ns/fintech/sa/cli"]


def test_issue_a_certificate_for_any_identity(settings: Settings):
    certs_dir = certs.ensure_certs(settings)
    cert_path, key_path = certs.issue_certificate(
        "intruder", certs_dir, spiffe_id="spiffe://cluster.local/ns/other/sa/intruder"
    )
    assert (cert_path.name, key_path.name) == ("intruder.pem", "intruder-key.pem")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    san = load(cert_path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["spiffe://cluster.local/ns/other/sa/intruder"]


def test_command_line(tmp_path: Path):
    env = {**os.environ, "FINTECH_MESH__STATE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "tools.certs"], cwd=ROOT, env=env, check=True, capture_output=True)
    assert (tmp_path / "certs" / "edge-gateway.pem").is_file()
