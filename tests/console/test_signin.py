"""Signing a person in at the dev issuer: authorization code with PKCE, in process (tools/edge/signin.py)."""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.runtime.access import verify_token
from services.runtime.config import Settings
from tools.edge.issuer import TokenIssuer
from tools.edge.signin import s256

CLIENT, SECRET = "fintech-console", "console-secret"


@pytest.fixture
def edge_settings(tmp_path: Path) -> Settings:
    return Settings(
        mesh={"state_dir": tmp_path},
        envoy={"rest_port": 18080},
        edge={
            "clients": {
                CLIENT: {"secret": SECRET, "scope": "fintech.console", "redirect_paths": ["/console/callback"]}
            },
            "users": {
                "risk-1": {"password": "pw-risk", "roles": ["risk_officer"]},
                "cust-1": {"password": "pw-cust", "roles": ["customer"], "customer_id": "c-1"},
            },
        },
    )


@pytest.fixture
def issuer(edge_settings: Settings) -> Iterator[str]:
    server = TokenIssuer(edge_settings, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _post(url: str, form: dict[str, str], auth: tuple[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
    if auth:
        import base64

        request.add_header("authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


REDIRECT = "http://127.0.0.1:18080/console/callback"


def _authorize(verifier: str, **overrides: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "state": "st-1",
            "code_challenge": s256(verifier), "code_challenge_method": "S256", **overrides}  # fmt: skip


def _code(issuer: str, verifier: str, user: str = "risk-1", password: str = "pw-risk") -> str:
    status, headers, _ = _post(f"{issuer}/oauth2/authorize", _authorize(verifier, username=user, password=password))
    assert status == 303, status
    location = urllib.parse.urlparse(headers["location"])
    assert location._replace(query="").geturl() == REDIRECT
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["state"] == "st-1"
    return query["code"]


def _redeem(issuer: str, code: str, verifier: str) -> tuple[int, dict]:
    import json

    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    status, _, body = _post(f"{issuer}/oauth2/token", form, (CLIENT, SECRET))
    return status, json.loads(body)


def test_a_person_signs_in_and_the_client_gets_their_token_once(issuer: str, edge_settings: Settings):
    verifier = secrets.token_urlsafe(48)
    form = urllib.parse.urlencode(_authorize(verifier))
    with urllib.request.urlopen(f"{issuer}/oauth2/authorize?{form}", timeout=5) as response:
        page = response.read().decode()
    assert 'name="password"' in page and 'value="st-1"' in page
    code = _code(issuer, verifier)
    status, token = _redeem(issuer, code, verifier)
    assert status == 200, token
    claims = verify_token(token["access_token"], edge_settings)
    assert claims["sub"] == "risk-1" and claims["roles"] == ["risk_officer"] and claims["client_id"] == CLIENT
    assert _redeem(issuer, code, verifier) == (400, {"error": "invalid_grant"})  # one use


def test_a_code_needs_its_verifier(issuer: str):
    verifier = secrets.token_urlsafe(48)
    code = _code(issuer, verifier)
    assert _redeem(issuer, code, secrets.token_urlsafe(48)) == (400, {"error": "invalid_grant"})


def test_a_customer_gets_their_own_claims(issuer: str, edge_settings: Settings):
    verifier = secrets.token_urlsafe(48)
    _, token = _redeem(issuer, _code(issuer, verifier, "cust-1", "pw-cust"), verifier)
    claims = verify_token(token["access_token"], edge_settings)
    assert claims["roles"] == ["customer"] and claims["customer_id"] == "c-1"


def test_a_wrong_password_gets_the_form_again_and_no_code(issuer: str):
    status, headers, body = _post(f"{issuer}/oauth2/authorize", _authorize("v" * 50, username="risk-1", password="no"))
    assert status == 401 and "location" not in headers and b"wrong password" in body


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"redirect_uri": "http://evil.example/callback"}, "invalid_client"),
        ({"client_id": "nobody"}, "invalid_client"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"state": ""}, "invalid_request"),
    ],
)
def test_a_bad_authorization_request_is_refused_and_never_redirected(issuer: str, override: dict, error: str):
    status, headers, body = _post(
        f"{issuer}/oauth2/authorize", _authorize("v" * 50, username="risk-1", password="pw-risk") | override
    )
    assert status == 400 and "location" not in headers and error.encode() in body
