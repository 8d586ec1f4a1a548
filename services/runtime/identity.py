"""Who is calling: the caller's SPIFFE id, from the TLS peer (local mode) or from Istio (cluster mode).

Local mode: grpc core verifies the client certificate against the dev CA and, when the certificate
has exactly one URI SAN and it starts with `spiffe://`, puts it in the auth context as
`peer_spiffe_id` (grpc 1.81; two URI SANs or a non-SPIFFE URI leave it out, while `peer_uri` and
`x509_subject_alternative_name` still list them). Nothing else in the auth context is used: a
value grpc refused to call a SPIFFE id must not become one here.

Cluster mode: the server is plaintext behind its Istio sidecar, which terminates mTLS and forwards
the verified client certificate's details in `x-forwarded-client-cert` (Envoy's XFCC). The sidecar
appends its own element after whatever the request already carried, so only the last element, the
nearest hop, is trusted.
"""

from __future__ import annotations

import re
from typing import Literal

from services.runtime.grpc_types import Context

XFCC_HEADER = "x-forwarded-client-cert"
# SPIFFE ID syntax: lower-case trust domain, then path segments of letters, digits, '.', '-', '_'.
_SPIFFE_ID = re.compile(r"spiffe://[a-z0-9._-]+(/[A-Za-z0-9._-]+)+")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def peer_identity(context: Context, mode: Literal["local", "cluster"] | str) -> str | None:
    """The caller's SPIFFE id (`spiffe://cluster.local/ns/fintech/sa/payments`), None when unknown."""
    if mode == "cluster":
        # Envoy sends one header; two would leave open which one the sidecar appended to.
        headers = _metadata_values(context, XFCC_HEADER)
        return xfcc_identity(headers[0]) if len(headers) == 1 else None
    values = list(context.auth_context().get("peer_spiffe_id", []))
    if len(values) != 1:
        return None
    return _valid(values[0].decode("utf-8", "replace"))


def xfcc_identity(header: str) -> str | None:
    """The SPIFFE id of the nearest hop's client certificate in an XFCC header."""
    try:
        elements = _split_xfcc(header)
    except ValueError:
        return None
    if not elements:
        return None
    uris = [value for key, value in elements[-1] if key.lower() == "uri"]
    # An X.509 SVID has exactly one URI SAN; anything else is not an identity.
    return _valid(uris[0]) if len(uris) == 1 else None


def parse_xfcc(header: str) -> list[dict[str, str]]:
    """Envoy's x-forwarded-client-cert value as one dict per element (first value of a repeated key).

    Elements are separated by ',', key=value pairs by ';'; a value holding ',', ';' or '=' is
    double-quoted, with '\\"' for a quote inside it. Raises ValueError on a malformed header.
    """
    elements = []
    for pairs in _split_xfcc(header):
        element: dict[str, str] = {}
        for key, value in pairs:
            element.setdefault(key, value)
        elements.append(element)
    return elements


def _split_xfcc(header: str) -> list[list[tuple[str, str]]]:
    elements = []
    for element in _split(header, ","):
        pairs = []
        for pair in _split(element, ";"):
            if not pair.strip():
                continue
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"XFCC pair is not key=value: {pair.strip()!r}")
            pairs.append((key.strip(), _unquote(value.strip())))
        if pairs:
            elements.append(pairs)
    return elements


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator outside double quotes; quotes and escapes stay for _unquote."""
    parts, start, quoted, escaped = [], 0, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    if quoted:
        raise ValueError("XFCC value with an unterminated quote")
    parts.append(text[start:])
    return parts


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        if '"' in value:
            raise ValueError(f"XFCC quote inside an unquoted value: {value!r}")
        return value
    match = _QUOTED.fullmatch(value)
    if not match:
        raise ValueError(f"XFCC text around a quoted value: {value!r}")
    return re.sub(r"\\(.)", r"\1", match[1])


def _metadata_values(context: Context, name: str) -> list[str]:
    return [
        value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for key, value in context.invocation_metadata() or ()
        if key == name
    ]


def _valid(spiffe_id: str) -> str | None:
    return spiffe_id if _SPIFFE_ID.fullmatch(spiffe_id) else None
