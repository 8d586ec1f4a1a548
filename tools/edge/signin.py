"""A person's sign-in at the dev issuer: OAuth2 authorization code with PKCE (RFC 6749 §4.1, RFC 7636, S256 only).

The client (the operations console) sends the browser to GET /oauth2/authorize with its client id, a redirect URI
at the edge's address (one of its `redirect_paths`), a `state` and an S256 `code_challenge`; the person signs in
with a user name and password from `[edge.users.<name>]`; the issuer sends the browser back with a one-time code
(60 s). The client redeems it at POST /oauth2/token with its secret and the `code_verifier`, and gets the person's
token: `sub` = the user name, `roles`, and `customer_id` / `branch_id` when the user has them, the same claims as
`python -m tools.edge.mint`, so the edge and every service read the person the same way. Codes live in the
issuer's memory: a restart signs everyone in again, which a development issuer may do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from services.runtime.config import Settings
from tools.edge.tokens import issue_token

CODE_TTL_SECONDS = 60.0
AUTHORIZE_FIELDS = ("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method")


class SignInError(ValueError):
    """An OAuth2 error code (RFC 6749 §4.1.2.1, §5.2): invalid_request, invalid_client, invalid_grant, ..."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    user: str
    expires: float


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class AuthorizationCodes:
    """The codes handed out and not yet redeemed (thread-safe: the issuer serves each request in a thread)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def edge_url(self) -> str:
        return f"http://{self.settings.mesh.host}:{self.settings.envoy.rest_port}"

    def check_request(self, query: dict[str, str]) -> None:
        """The authorization request is well formed and names a client and one of its redirect URIs."""
        client = self.settings.edge.clients.get(query.get("client_id", ""))
        if client is None or query.get("redirect_uri") not in [self.edge_url() + p for p in client.redirect_paths]:
            raise SignInError("invalid_client")  # never redirect to a URI the client did not register
        if query.get("response_type") != "code":
            raise SignInError("unsupported_response_type")
        if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) != 43:
            raise SignInError("invalid_request")
        if not query.get("state"):
            raise SignInError("invalid_request")

    def sign_in(self, form: dict[str, str]) -> str:
        """The redirect (with code and state) for a person's valid credentials; access_denied otherwise."""
        self.check_request(form)
        user = self.settings.edge.users.get(form.get("username", ""))
        if user is None or not hmac.compare_digest(user.password.encode(), form.get("password", "").encode()):
            raise SignInError("access_denied")
        code = secrets.token_urlsafe(32)
        grant = _Grant(form["client_id"], form["redirect_uri"], form["code_challenge"], form["username"],
                       time.monotonic() + CODE_TTL_SECONDS)  # fmt: skip
        with self._lock:
            now = time.monotonic()
            self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[code] = grant
        query = urllib.parse.urlencode({"code": code, "state": form["state"]})
        return f"{form['redirect_uri']}?{query}"

    def redeem(self, client_id: str, secret: str, form: dict[str, str]) -> dict[str, Any]:
        """The token response for a code, once, to the client it was issued to, with the right verifier."""
        client = self.settings.edge.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise SignInError("invalid_client")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # one use, whatever happens next
        if (
            grant is None
            or grant.expires < time.monotonic()
            or grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or not hmac.compare_digest(grant.challenge, s256(form.get("code_verifier", "")))
        ):
            raise SignInError("invalid_grant")
        user = self.settings.edge.users[grant.user]
        claims: dict[str, Any] = {"client_id": client_id, "scope": client.scope, "roles": list(user.roles)}
        if user.customer_id:
            claims["customer_id"] = user.customer_id
        if user.branch_id:
            claims["branch_id"] = user.branch_id
        ttl = self.settings.edge.token_ttl_seconds
        token = issue_token(self.settings, grant.user, ttl=ttl, **claims)
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": client.scope}


def login_form(query: dict[str, str], *, failed: bool = False) -> str:
    """The sign-in page: the authorization request's fields carried as hidden inputs, a user name and password."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">' for name in AUTHORIZE_FIELDS
    )
    error = '<p class="error" role="alert">Unknown user or wrong password.</p>' if failed else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: FinTech mesh (development issuer)</title>
<style>body{{font-family:system-ui,sans-serif;background:#0f172a;color:#e2e8f0;display:grid;place-items:center;
height:100vh;margin:0}}form{{background:#1e293b;padding:2rem;border-radius:8px;display:grid;gap:.75rem;width:18rem}}
input{{padding:.5rem;border-radius:4px;border:1px solid #475569;background:#0f172a;color:#e2e8f0}}
button{{padding:.6rem;border:0;border-radius:4px;background:#38bdf8;color:#0f172a;font-weight:600}}
.error{{color:#f87171}}</style></head>
<body><form method="post" action="/oauth2/authorize"><h1>Sign in</h1>{error}{hidden}
<label>User name <input name="username" id="username" autocomplete="username" required></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
<button type="submit" id="sign-in">Sign in</button></form></body></html>
"""
