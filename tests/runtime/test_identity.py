"""The caller's identity: grpc's auth context in local mode, Envoy's x-forwarded-client-cert in a cluster."""

from __future__ import annotations

import pytest

from services.runtime.identity import parse_xfcc, peer_identity, xfcc_identity

SA = "spiffe://cluster.local/ns/fintech/sa/"
# As an Istio sidecar writes it (Envoy's example, with SPIFFE ids).
SIDECAR = (
    f'By={SA}risk;Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;Subject="";URI={SA}payments'
)


class FakeContext:
    def __init__(self, auth: dict[str, list[bytes]] | None = None, metadata=()) -> None:
        self._auth, self._metadata = auth or {}, tuple(metadata)

    def auth_context(self) -> dict[str, list[bytes]]:
        return self._auth

    def invocation_metadata(self):
        return self._metadata


def test_parse_one_element():
    assert parse_xfcc(SIDECAR) == [
        {
            "By": f"{SA}risk",
            "Hash": "468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688",
            "Subject": "",
            "URI": f"{SA}payments",
        }
    ]


def test_parse_quoted_values_and_several_elements():
    header = (
        'By=http://frontend.lyft.com;Hash=468ed33b;Subject="/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client";'
        'URI=http://testclient.lyft.com,By=http://backend.lyft.com;Hash=9ba61d64;Cert="-----BEGIN%20CERT";'
        'Subject="CN=a \\"quoted\\" name, O=x;y=z";DNS=lyft.com;DNS=www.lyft.com'
    )
    first, second = parse_xfcc(header)
    assert first["Subject"] == "/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client"
    assert first["URI"] == "http://testclient.lyft.com"
    assert second["Subject"] == 'CN=a "quoted" name, O=x;y=z'
    assert second["Cert"] == "-----BEGIN%20CERT"
    assert second["DNS"] == "lyft.com"  # a repeated key keeps its first value


@pytest.mark.parametrize(
    "header",
    ['By=a;Subject="unterminated', "By=a;novalue", 'By=a"b', 'Subject="a"b;URI=x', "=value"],
)
def test_malformed_headers_are_refused(header: str):
    with pytest.raises(ValueError):
        parse_xfcc(header)
    assert xfcc_identity(header) is None


@pytest.mark.parametrize(
    ("header", "identity"),
    [
        (SIDECAR, f"{SA}payments"),
        # The nearest hop is the last element: an element sent by the caller itself does not count.
        (f"URI={SA}cli,{SIDECAR}", f"{SA}payments"),
        (f"{SIDECAR},By={SA}risk;URI={SA}customer", f"{SA}customer"),
        # One URI SAN or no identity; SPIFFE ids only.
        (f"By={SA}risk;URI={SA}a;URI={SA}b", None),
        (f"By={SA}risk;DNS=payments", None),
        ("URI=https://cluster.local/ns/fintech/sa/payments", None),
        (f"URI={SA}pay#ments", None),
        ("", None),
        (" , ", None),
    ],
)
def test_identity_from_xfcc(header: str, identity: str | None):
    assert xfcc_identity(header) == identity


def test_cluster_mode_reads_the_header():
    context = FakeContext(metadata=[("x-forwarded-client-cert", SIDECAR), ("other", "x")])
    assert peer_identity(context, "cluster") == f"{SA}payments"
    assert peer_identity(FakeContext(), "cluster") is None
    twice = FakeContext(metadata=[("x-forwarded-client-cert", SIDECAR)] * 2)
    assert peer_identity(twice, "cluster") is None


def test_cluster_mode_ignores_the_tls_peer():
    context = FakeContext(auth={"peer_spiffe_id": [f"{SA}payments".encode()]})
    assert peer_identity(context, "cluster") is None


def test_local_mode_reads_grpc_peer_spiffe_id():
    # What grpc 1.81 reports for a certificate from tools.certs (tests/runtime/test_tls.py runs it live).
    auth = {
        "transport_security_type": [b"ssl"],
        "x509_subject_alternative_name": [f"{SA}payments".encode(), b"localhost", b"127.0.0.1"],
        "peer_uri": [f"{SA}payments".encode()],
        "peer_spiffe_id": [f"{SA}payments".encode()],
    }
    assert peer_identity(FakeContext(auth), "local") == f"{SA}payments"
    # Two URI SANs: grpc reports no peer_spiffe_id, and the SAN list is not a substitute.
    del auth["peer_spiffe_id"]
    assert peer_identity(FakeContext(auth), "local") is None
    # The XFCC header means nothing without the sidecar.
    assert peer_identity(FakeContext(metadata=[("x-forwarded-client-cert", SIDECAR)]), "local") is None
