"""What the edge refuses in a request body before any service sees it: more than a gRPC message may hold
(413) and fields the body's message does not define (400 naming them). Through the real Envoy, checked
with its own counters of upstream requests."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from services.runtime.config import Settings
from tests.edge.rest import Reply, request
from tests.edge.test_edge import _json_status, _token, _url
from tools.edge.config import DESCRIPTOR_SET, MAX_REQUEST_BYTES, body_rules

pytestmark = pytest.mark.mesh()
PAYMENT_ID = "9a7c1e52-4a3c-4d43-9a43-1b1f0a3e7d10"
EDGE_DOMAIN = "edge-gateway.fintech.svc"


def _upstream_requests(settings: Settings, cluster: str) -> int:
    """Envoy's count of requests it has sent to a service's cluster."""
    name = f"cluster.{cluster}.upstream_rq_total"
    stats = request(f"http://127.0.0.1:{settings.envoy.admin_port}/stats?filter=^{re.escape(name)}$").body.decode()
    counts = [int(line.split(":")[1]) for line in stats.splitlines() if line.startswith(f"{name}:")]
    assert len(counts) == 1, stats
    return counts[0]


def _post(settings: Settings, path: str, body: dict | bytes, method: str = "POST") -> Reply:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return request(_url(settings, path), method, token=_token(settings), body=data)


def _answered_by_the_edge(reply: Reply) -> bool:
    return "x-envoy-upstream-service-time" not in reply.headers


# ---- size -------------------------------------------------------------------------------------------------


def test_a_body_over_the_grpc_message_limit_is_413_and_never_reaches_the_service(settings: Settings):
    before = _upstream_requests(settings, "payments")
    oversized = json.dumps({"idempotency_key": "x" * MAX_REQUEST_BYTES}).encode()
    assert len(oversized) > MAX_REQUEST_BYTES
    reply = _post(settings, "/v1/payments", oversized)
    body = _json_status(reply, 413)
    assert body["code"] == 3, body  # INVALID_ARGUMENT: not RESOURCE_EXHAUSTED (429), which clients retry
    assert str(MAX_REQUEST_BYTES) in body["message"], body
    assert _answered_by_the_edge(reply)
    assert _upstream_requests(settings, "payments") == before, "the service saw the oversized body"


def test_a_chunked_body_over_the_limit_is_413_too(settings: Settings):
    """Without a content-length the edge counts what arrives."""
    before = _upstream_requests(settings, "payments")
    chunk = b"x" * (256 * 1024)
    chunks = [b'{"idempotency_key": "', *[chunk] * (MAX_REQUEST_BYTES // len(chunk) + 1), b'"}']
    connection = http.client.HTTPConnection("127.0.0.1", settings.envoy.rest_port, timeout=15)
    try:
        headers = {"authorization": f"Bearer {_token(settings)}", "content-type": "application/json"}
        # The edge may answer and close before the last chunks are sent; its reply is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request("POST", "/v1/payments", body=iter(chunks), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()
    _json_status(reply, 413)
    assert _upstream_requests(settings, "payments") == before


def test_a_body_just_within_the_limit_reaches_the_service(settings: Settings):
    """The limit is the services' own, not lower (Envoy's default buffer is 1 MiB)."""
    before = _upstream_requests(settings, "payments")
    within = json.dumps({"idempotency_key": "x" * (MAX_REQUEST_BYTES - 1024)}).encode()
    reply = _post(settings, "/v1/payments", within)
    body = _json_status(reply, 400)  # the service's validation: the key is far too long, the rest missing
    assert not _answered_by_the_edge(reply), body
    assert _upstream_requests(settings, "payments") == before + 1


# ---- unknown fields ---------------------------------------------------------------------------------------


def _unknown_field_reply(reply: Reply) -> list[str]:
    """The edge's 400 for unknown fields: the fields its BadRequest names (each also in the message)."""
    body = _json_status(reply, 400)
    assert _answered_by_the_edge(reply), body
    info, bad_request = body["details"]
    assert info == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "FIELD_VIOLATION",
        "domain": EDGE_DOMAIN,
        "metadata": {},
    }
    assert bad_request["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    fields = [violation["field"] for violation in bad_request["field_violations"]]
    assert all(field in body["message"] for field in fields), body
    return fields


@pytest.mark.parametrize(
    ("path", "workload", "named"),
    [("/v1/customers", "customer", "customer.isAdmin"), ("/v1/payments", "payments", "isAdmin")],
    ids=["RegisterCustomer", "InitiatePayment"],
)
def test_an_unknown_field_is_400_naming_it_and_never_reaches_the_service(
    settings: Settings, path: str, workload: str, named: str
):
    before = _upstream_requests(settings, workload)
    reply = _post(settings, path, {"isAdmin": True})
    assert _unknown_field_reply(reply) == [named]
    assert _upstream_requests(settings, workload) == before


def test_unknown_fields_are_found_at_any_depth_all_at_once(settings: Settings):
    body = {
        "debtorAccountId": str(uuid.uuid4()),
        "amount": {"currency_code": "EUR", "amountMinor": "100", "cents": 1},
        "is_admin": True,
    }
    assert sorted(_unknown_field_reply(_post(settings, "/v1/payments", body))) == ["amount.cents", "is_admin"]


def test_a_body_that_is_not_strict_json_is_400_at_the_edge(settings: Settings):
    # Protobuf's JSON parser in the transcoder takes unquoted keys: the edge must not let it.
    for body in (b"{isAdmin: true}", b"{'isAdmin': true}", b'{"amount": {}} trailing'):
        reply = _post(settings, "/v1/payments", body)
        assert _json_status(reply, 400)["details"] == [], reply.body
        assert _answered_by_the_edge(reply)


def test_known_fields_in_either_spelling_reach_the_service(settings: Settings):
    for body in (
        b'{"debtor_account_id": "x", "amount": {"currency_code": "EUR", "amount_minor": "5"}}',
        b'{"debtorAccountId": "x", "amount": {"currencyCode": "EUR", "amountMinor": "5"}}',
        b'{"debtor_account\\u005fid": "x"}',  # an escaped name is still the name
    ):
        reply = _post(settings, "/v1/payments?x=1", body)
        assert not _answered_by_the_edge(reply), (body, reply.body)


def _null_body(message: Descriptor) -> dict[str, Any]:
    return {field.name: None for field in message.fields}


def _nested_fields(message: Descriptor) -> Iterator[tuple[FieldDescriptor, Any]]:
    """Each message-typed field (not a well-known type) and a value of it whose message has an extra field."""
    for field in message.fields:
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        target = field.message_type
        if target.GetOptions().map_entry:
            value_type = target.fields_by_name["value"].message_type
            if value_type is None or value_type.full_name.startswith("google.protobuf."):
                continue
            yield field, {"k": _null_body(value_type) | {"zzUnknown": 1}}
        elif not target.full_name.startswith("google.protobuf."):
            nested = _null_body(target) | {"zzUnknown": 1}
            yield field, [nested] if field.is_repeated else nested


def test_every_body_of_the_contracts_is_checked_against_its_own_message(settings: Settings):
    """For each public RPC's body: all its fields pass the edge, one more (at the top or one level down) is named."""
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file:
        pool.Add(file)
    for rule in body_rules():
        message = pool.FindMessageTypeByName(rule.message_type)
        path = re.sub(r"\{[^}]*\}", PAYMENT_ID, rule.template)
        joined = f"{rule.prefix}." if rule.prefix else ""
        known = _post(settings, path, _null_body(message), rule.http_method)
        described = f"{rule.rpc} {rule.http_method} {path} -> {known.status} {known.body[:300]!r}"
        assert not (_answered_by_the_edge(known) and known.status == 400 and b"unknown field" in known.body), described
        unknown = _post(settings, path, _null_body(message) | {"zzUnknown": 1}, rule.http_method)
        assert _unknown_field_reply(unknown) == [f"{joined}zzUnknown"], rule
        for field, value in _nested_fields(message):
            reply = _post(settings, path, _null_body(message) | {field.json_name: value}, rule.http_method)
            index = "[0]" if isinstance(value, list) else "['k']" if field.message_type.GetOptions().map_entry else ""
            assert _unknown_field_reply(reply) == [f"{joined}{field.name}{index}.zzUnknown"], (rule, field.name)
