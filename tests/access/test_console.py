"""The console's rows of the access matrix: every endpoint of the operations console through the real edge with a
token of every role of tests/access/test_matrix.py's cases (in the console's cookie, as its sign-in sets it). Each
answer matches the one declaration, services/console/domain/panels.py: a role with panels sees exactly those, the
rest are refused (403), and without a token the page sends the browser to sign in and the data answers 401."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from services.console.domain.panels import panels_for
from services.runtime.config import Settings
from tests.access.test_matrix import CASES, Case
from tools.edge.tokens import issue_token

pytestmark = pytest.mark.mesh("console", "envoy")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _get(settings: Settings, path: str, token: str | None) -> tuple[int, dict[str, str], bytes]:
    url = f"http://{settings.mesh.host}:{settings.envoy.rest_port}{settings.console.path}/{path}"
    request = urllib.request.Request(url, headers={"cookie": f"fintech_console={token}"} if token else {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
            # the event stream's first message is the snapshot: read that far, then leave
            body = response.readline() + response.readline() if path == "events" else response.read()
            return response.status, dict(response.headers), body
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _token(settings: Settings, case: Case) -> str | None:
    if case.role is None:
        return None
    claims: dict[str, object] = {"roles": [case.role]}
    if case.role == "customer":
        claims["customer_id"] = "00000000-0000-4000-8000-00000000000a"
    if case.role == "teller":
        claims["branch_id"] = "branch-001"
    return issue_token(settings, f"{case.role}-console-matrix", **claims)


@pytest.mark.parametrize("case", [c for c in CASES if c.own], ids=lambda c: c.name)
def test_every_console_endpoint_answers_each_role_as_declared(settings: Settings, case: Case):
    token = _token(settings, case)
    panels = panels_for({case.role} if case.role else set())
    page, headers, _ = _get(settings, "", token)
    view, _, body = _get(settings, "api/view", token)
    events, _, first = _get(settings, "events", token)
    if token is None:
        assert (page, headers.get("location"), view, events) == (302, "/console/login", 401, 401)
    elif not panels:
        assert (page, view, events) == (403, 403, 403)
    else:
        assert (page, view, events) == (200, 200, 200)
        assert sorted(json.loads(body)["panels"]) == sorted(panel.value for panel in panels)
        assert first.startswith(b"event: snapshot")


def test_a_forged_or_expired_cookie_is_refused_by_the_edge_itself(settings: Settings):
    expired = issue_token(settings, "admin-expired", ttl=-120, roles=["admin"])
    forged = _token(settings, Case("admin", "admin"))
    assert forged is not None
    header, payload, signature = forged.split(".")
    for token in (expired, f"{header}.{payload}.{signature[:-4]}AAAA"):
        status, headers, _ = _get(settings, "api/view", token)
        assert status == 401 and "www-authenticate" in headers  # Envoy's jwt_authn answered, not the console
