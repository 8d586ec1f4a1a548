"""The dev token issuer in-process: client credentials, tokens Envoy can verify, the key's file mode."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from services.runtime.config import Settings
from tests.edge.rest import client_credentials, request
from tools.edge.issuer import TokenIssuer
from tools.edge.mint import mint
from tools.edge.tokens import ensure_signing_key, jwks_path

CLIENT, SECRET = "reporting", "s3cret"


@pytest.fixture
def edge_settings(tmp_path: Path) -> Settings:
    return Settings(
        mesh={"state_dir": tmp_path},
        edge={"clients": {CLIENT: {"secret": SECRET, "scope": "fintech.api reports.read"}}, "token_ttl_seconds": 300},
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


def _verify(token: str, settings: Settings) -> dict:
    jwks = json.loads(jwks_path(settings).read_text())
    key = jwt.PyJWK(jwks["keys"][0])
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]
    return jwt.decode(token, key, algorithms=["RS256"], audience=settings.edge.audience, issuer=settings.edge.issuer)


def test_client_credentials_give_a_short_lived_rs256_token(issuer: str, edge_settings: Settings):
    reply = client_credentials(f"{issuer}/oauth2/token", CLIENT, SECRET)
    assert reply.status == 200, reply.body
    token = reply.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 300
    claims = _verify(token["access_token"], edge_settings)
    assert claims["sub"] == claims["client_id"] == CLIENT
    assert claims["scope"] == "fintech.api reports.read"
    assert 0 < claims["exp"] - claims["iat"] <= 900 and abs(claims["iat"] - time.time()) < 5
    assert claims["jti"]


def test_a_narrower_scope_can_be_asked_for_and_a_wider_one_cannot(issuer: str):
    narrow = client_credentials(f"{issuer}/oauth2/token", CLIENT, SECRET, scope="reports.read")
    assert narrow.status == 200 and narrow.json()["scope"] == "reports.read"
    wide = client_credentials(f"{issuer}/oauth2/token", CLIENT, SECRET, scope="admin")
    assert wide.status == 401 and wide.json() == {"error": "invalid_client"}


@pytest.mark.parametrize(("client", "secret"), [(CLIENT, "wrong"), ("nobody", SECRET), ("", "")])
def test_bad_credentials_get_invalid_client(issuer: str, client: str, secret: str):
    reply = client_credentials(f"{issuer}/oauth2/token", client, secret)
    assert reply.status == 401 and reply.json() == {"error": "invalid_client"}


def test_other_grants_and_paths_are_refused(issuer: str):
    body = b"grant_type=password&username=a&password=b"
    reply = request(
        f"{issuer}/oauth2/token", "POST", body=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 400 and reply.json() == {"error": "unsupported_grant_type"}
    assert request(f"{issuer}/nothing").status == 404
    assert request(f"{issuer}/.well-known/jwks.json").json()["keys"][0]["alg"] == "RS256"


def test_the_signing_key_is_private_and_kept(edge_settings: Settings):
    _, kid = ensure_signing_key(edge_settings)
    key_file = edge_settings.state_dir / "edge" / "signing-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ensure_signing_key(edge_settings)[1] == kid


def test_minted_user_tokens_carry_roles_and_ids(edge_settings: Settings):
    customer = "5d1c9a7e-3b2f-4c6d-8e9a-0f1b2c3d4e5f"
    claims = _verify(mint(edge_settings, "customer", customer_id=customer), edge_settings)
    assert claims["sub"] == claims["customer_id"] == customer and claims["roles"] == ["customer"]
    teller = _verify(mint(edge_settings, "teller", branch_id="b-1", ttl=60), edge_settings)
    assert teller["roles"] == ["teller"] and teller["branch_id"] == "b-1" and teller["exp"] - teller["iat"] == 60
    with pytest.raises(ValueError):
        mint(edge_settings, "customer")
    with pytest.raises(ValueError):
        mint(edge_settings, "superuser")


def test_openid_connect_discovery_names_the_token_endpoint_and_the_jwks(issuer: str, edge_settings: Settings):
    reply = request(f"{issuer}/.well-known/openid-configuration")
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    discovery = reply.json()
    assert discovery["issuer"] == edge_settings.edge.issuer
    assert discovery["token_endpoint"] == f"{issuer}/oauth2/token"
    assert discovery["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert "client_credentials" in discovery["grant_types_supported"]
    assert {"fintech.api", "reports.read"} <= set(discovery["scopes_supported"])  # mesh.toml's clients too
    # The endpoints it names work: a token from there verifies with the keys from there.
    token = client_credentials(discovery["token_endpoint"], CLIENT, SECRET).json()["access_token"]
    key = jwt.PyJWK(request(discovery["jwks_uri"]).json()["keys"][0])
    claims = jwt.decode(token, key, algorithms=discovery["id_token_signing_alg_values_supported"],
                        audience=edge_settings.edge.audience, issuer=discovery["issuer"])  # fmt: skip
    assert claims["sub"] == CLIENT
