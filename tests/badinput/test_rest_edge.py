"""schemathesis against the generated OpenAPI document, through the real Envoy edge with valid dev tokens.

Every operation of gen/openapi/openapi.yaml gets schema-valid and schema-breaking requests (schemathesis'
positive and negative modes). Whatever the input, the edge and the services answer without a server error,
and every error has the edge's one JSON shape (envoy/README.md): {"code", "message", "details"}.
Nothing is excluded, and no 5xx is accepted.
"""

from __future__ import annotations

import json
import uuid

import pytest
import schemathesis
from schemathesis import GenerationMode

from services.runtime.access import ROLES
from services.runtime.config import ROOT, Settings
from tools.edge.tokens import issue_token

pytestmark = pytest.mark.mesh()
EXAMPLES = 15  # per operation and mode: 52 operations, so about 1,500 requests

schema = schemathesis.openapi.from_path(ROOT / "gen" / "openapi" / "openapi.yaml")
schema.config.generation.update(max_examples=EXAMPLES, modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def _headers(settings: Settings) -> dict[str, str]:
    # A fresh subject per request: the edge's rate limit is per client, and the fuzzing is not a client's load.
    # Every role, so requests get past the access rules to the validation and the handlers.
    token = issue_token(settings, f"badinput-{uuid.uuid4()}", roles=sorted(ROLES))
    return {"authorization": f"Bearer {token}"}


@schema.parametrize()
def test_no_request_gets_a_server_error_and_errors_have_one_shape(case, settings: Settings):
    response = case.call(base_url=f"http://127.0.0.1:{settings.envoy.rest_port}", headers=_headers(settings))
    described = f"{case.method} {case.formatted_path} -> {response.status_code} {response.text[:500]}"
    content_type = response.headers.get("content-type", [""])[0]  # schemathesis: lower-case names, lists of values
    assert content_type.startswith("application/json"), described
    if response.status_code < 400:
        return
    body = json.loads(response.text)
    assert set(body) == {"code", "message", "details"}, described
    assert isinstance(body["code"], int) and isinstance(body["details"], list), described
    assert not [name for name in response.headers if name.lower().startswith("grpc-")], described
    # Every contract method is implemented: any 5xx, 501 UNIMPLEMENTED included, is a bug.
    assert response.status_code < 500, described
