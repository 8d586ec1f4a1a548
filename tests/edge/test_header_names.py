"""Header names that HTTP allows but gRPC metadata does not are refused at the edge, not failed upstream."""

from __future__ import annotations

import json
import uuid

import pytest

from services.runtime.config import Settings
from tests.edge.rest import request
from tools.edge.mint import mint

pytestmark = pytest.mark.mesh()


@pytest.mark.parametrize("name", ["+", "&9$6e", "a*b"])
def test_a_header_name_grpc_cannot_carry_is_a_400_in_the_edges_shape(settings: Settings, name: str):
    token = mint(settings, "admin", subject=f"test-{uuid.uuid4()}")
    url = f"http://127.0.0.1:{settings.envoy.rest_port}/v1/payments/{uuid.uuid4()}"
    reply = request(url, token=token, headers={name: "x"})
    assert reply.status == 400, reply.body  # before: 500 {"code":13,"message":"Illegal header key: +"}
    body = json.loads(reply.body)
    assert body == {"code": 3, "message": f"header name not allowed: {name}", "details": []}


def test_ordinary_headers_still_pass(settings: Settings):
    token = mint(settings, "admin", subject=f"test-{uuid.uuid4()}")
    url = f"http://127.0.0.1:{settings.envoy.rest_port}/v1/payments/{uuid.uuid4()}"
    reply = request(url, token=token, headers={"x-client.version": "1.2", "accept-language": "de"})
    assert reply.status == 404, reply.body  # through to the service: no such payment
