"""The REST edge on the running mesh: real Envoy in front of the real services, tokens from the real issuer."""

from __future__ import annotations

import base64
import json
import time
import uuid

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as initiation_grpc

from services.runtime.config import Settings
from tests.edge.conftest import RATE_LIMIT
from tests.edge.rest import Reply, client_credentials, request
from tools.edge.mint import mint
from tools.edge.tokens import ensure_signing_key

pytestmark = pytest.mark.mesh()
PAYMENT_ID = "9a7c1e52-4a3c-4d43-9a43-1b1f0a3e7d10"
# HTTP status -> the gRPC code the JSON body must carry (google.rpc.Code).
GRPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 429: 8, 501: 12}


def _url(settings: Settings, path: str) -> str:
    return f"http://127.0.0.1:{settings.envoy.rest_port}{path}"


def _token(settings: Settings, **claims) -> str:
    """A fresh client (its own subject, so its own rate-limit bucket) per call."""
    return mint(settings, "admin", subject=f"test-{uuid.uuid4()}", **claims)


def _json_status(reply: Reply, status: int) -> dict:
    """The reply is `status` with a google.rpc.Status-shaped JSON body and no gRPC leftovers."""
    assert reply.status == status, (reply.status, reply.body)
    assert reply.headers["content-type"].startswith("application/json"), reply.headers
    assert not [name for name in reply.headers if name.startswith("grpc-")], reply.headers
    body = reply.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == GRPC_CODE[status] and isinstance(body["details"], list)
    return body


def test_a_malformed_id_gets_the_services_field_violation(settings: Settings):
    reply = request(_url(settings, "/v1/payments/42"), token=_token(settings))
    body = _json_status(reply, 400)
    bad_request = next(d for d in body["details"] if d["@type"] == "type.googleapis.com/google.rpc.BadRequest")
    assert bad_request["field_violations"][0]["field"] == "payment_id"
    assert "uuid" in bad_request["field_violations"][0]["description"]


def test_a_well_formed_call_reaches_the_service(settings: Settings):
    reply = request(_url(settings, f"/v1/payments/{PAYMENT_ID}"), token=_token(settings))
    # The back office reaches every payment: an unknown one is NOT_FOUND, from the service itself.
    body = _json_status(reply, 404)
    assert reply.headers.get("x-envoy-upstream-service-time") is not None, "answered by the service, not the edge"
    assert body["code"] == 5


def test_a_success_is_plain_json_with_proto_field_names(settings: Settings):
    reply = request(_url(settings, "/v1/featureDefinitions"), token=_token(settings))
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "application/json"
    assert not [name for name in reply.headers if name.startswith("grpc-")], reply.headers
    definitions = reply.json()["feature_definitions"]
    assert definitions and "feature_name" in definitions[0]  # preserve_proto_field_names: not featureName


def test_the_services_see_the_verified_claims_and_never_a_forged_payload(settings: Settings):
    """The customer service trusts x-jwt-payload from the edge: the edge must send only the token's own claims."""
    customer = mint(settings, "customer", customer_id=str(uuid.uuid4()))
    admin_claims = {"sub": "forger", "roles": ["admin"]}
    forged = base64.urlsafe_b64encode(json.dumps(admin_claims).encode()).rstrip(b"=").decode()
    as_admin = request(_url(settings, "/v1/customers"), token=_token(settings))
    as_customer = request(_url(settings, "/v1/customers"), token=customer)
    with_forgery = request(_url(settings, "/v1/customers"), token=customer, headers={"x-jwt-payload": forged})
    assert as_admin.status == 200, as_admin.body  # the claims arrived: the service knows the caller is an admin
    _json_status(as_customer, 403)  # a customer may not list customers
    _json_status(with_forgery, 403)
    assert "x-envoy-upstream-service-time" in with_forgery.headers  # the service said no, not the edge


def _resigned(settings: Settings, **changes) -> str:
    """A valid token of this edge with some claims changed, signed again with the issuer's own key."""
    claims = jwt.decode(_token(settings), options={"verify_signature": False}) | changes
    key, kid = ensure_signing_key(settings)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _unauthenticated(reply: Reply) -> dict:
    """401 UNAUTHENTICATED (RFC 6750: an invalid token) with the edge's ErrorInfo and the Bearer challenge."""
    body = _json_status(reply, 401)
    assert body["message"], body
    assert body["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "UNAUTHENTICATED",
            "domain": "edge-gateway.fintech.svc",
            "metadata": {},
        }
    ], body
    assert reply.headers["www-authenticate"].startswith("Bearer "), reply.headers
    assert "x-envoy-upstream-service-time" not in reply.headers, "the edge answers it, no service"
    return body


def test_an_invalid_token_is_401_whatever_is_wrong_with_it(settings: Settings):
    _, kid = ensure_signing_key(settings)
    claims = jwt.decode(_token(settings), options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = {
        "expired": mint(settings, "admin", subject="expired", ttl=-300),
        "bad signature": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "garbage": "not-a-jwt",
        "wrong issuer": _resigned(settings, iss="https://issuer.elsewhere.example"),
        # jwt_authn itself answers this one 403; the edge's local reply mapper makes it 401.
        "wrong audience": _resigned(settings, aud="another-api"),
    }
    for name, token in tokens.items():
        reply = request(_url(settings, f"/v1/payments/{PAYMENT_ID}"), token=token)
        assert reply.status == 401, (name, reply.status, reply.body)
        _unauthenticated(reply)
        assert 'error="invalid_token"' in reply.headers["www-authenticate"], (name, reply.headers)


def test_a_token_for_another_audience_is_401_with_the_reason(settings: Settings):
    reply = request(_url(settings, f"/v1/payments/{PAYMENT_ID}"), token=_resigned(settings, aud="another-api"))
    body = _unauthenticated(reply)
    assert "audience" in body["message"].lower(), body


def test_no_token_is_401_with_a_challenge_and_no_error_code(settings: Settings):
    # RFC 6750 3.1: a request without credentials gets the challenge, without an error code.
    reply = request(_url(settings, f"/v1/payments/{PAYMENT_ID}"))
    _unauthenticated(reply)
    assert "error=" not in reply.headers["www-authenticate"], reply.headers


def test_malformed_json_is_400(settings: Settings):
    reply = request(_url(settings, "/v1/payments"), "POST", token=_token(settings), body=b'{"amount": ')
    _json_status(reply, 400)


def test_unknown_routes_and_internal_rpcs_are_404(settings: Settings):
    token = _token(settings)
    _json_status(request(_url(settings, "/v1/nothing"), token=token), 404)
    _json_status(request(_url(settings, "/v1/payments/a/b/c"), "DELETE", token=token), 404)
    internal = _url(settings, "/fintech.payments.v1.PaymentExecutionService/ExecutePayment")
    _json_status(request(internal, "POST", token=token, body=b"{}"), 404)


@pytest.mark.parametrize("with_token", [True, False])
def test_raw_grpc_on_the_rest_port_is_refused(settings: Settings, with_token: bool):
    metadata = [("authorization", f"Bearer {_token(settings)}")] if with_token else []
    with grpc.insecure_channel(f"127.0.0.1:{settings.envoy.rest_port}") as channel:
        stub = initiation_grpc.PaymentInitiationServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.RetrievePayment(initiation.RetrievePaymentRequest(payment_id=PAYMENT_ID), metadata=metadata, timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_rate_limit_is_per_client(settings: Settings):
    limited, other = _token(settings), _token(settings)
    path = _url(settings, "/v1/payments/42")  # answered by the service's validation: cheap and deterministic
    replies = [request(path, token=limited) for _ in range(RATE_LIMIT + 1)]
    assert [r.status for r in replies[:RATE_LIMIT]] == [400] * RATE_LIMIT
    assert [int(r.headers["x-ratelimit-remaining"]) for r in replies[:3]] == [
        RATE_LIMIT - 1,
        RATE_LIMIT - 2,
        RATE_LIMIT - 3,
    ]
    throttled = replies[-1]
    _json_status(throttled, 429)
    assert throttled.headers["x-ratelimit-limit"] == str(RATE_LIMIT)
    assert throttled.headers["x-ratelimit-remaining"] == "0"
    assert "x-ratelimit-reset" in throttled.headers
    unaffected = request(path, token=other)
    assert unaffected.status == 400 and unaffected.headers["x-ratelimit-remaining"] == str(RATE_LIMIT - 1)


def test_client_credentials_then_the_api(settings: Settings):
    client_id, client = next(iter(settings.edge.clients.items()))
    issuer = f"http://127.0.0.1:{settings.edge.issuer_port}/oauth2/token"
    token = client_credentials(issuer, client_id, client.secret)
    assert token.status == 200, token.body
    access_token = token.json()["access_token"]
    # The edge accepts the client's token; the service refuses it before reading the request: it names no person
    # with a role (services/runtime/access.py).
    reply = request(_url(settings, "/v1/payments/42"), token=access_token)
    assert _json_status(reply, 403)["code"] == 7
    assert client_credentials(issuer, client_id, "wrong").status == 401


def test_admin_serves_readiness_and_prometheus_stats(settings: Settings):
    admin = f"http://127.0.0.1:{settings.envoy.admin_port}"
    assert request(f"{admin}/ready").status == 200
    deadline = time.monotonic() + 10
    while True:
        stats = request(f"{admin}/stats/prometheus").body.decode()
        if (
            'envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="rest"}' in stats
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.5)
    assert 'envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="rest"}' in stats
    assert "envoy_cluster_upstream_cx_total" in stats
