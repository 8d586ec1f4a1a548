"""Signing staff in: the console is an OAuth2 client of the issuer (authorization code with PKCE, S256).

/console/login sends the browser to the issuer's sign-in form with a fresh `state` and code challenge, keeping the
state and verifier in a short-lived HttpOnly cookie; /console/callback checks the state, redeems the code with the
client's secret and the verifier (server to server), and keeps the person's access token in an HttpOnly cookie that
the edge's jwt_authn and the console both verify. The browser's script never sees a token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from dataclasses import dataclass

import aiohttp

from services.runtime.config import Settings

TOKEN_COOKIE = "fintech_console"  # the edge's jwt_authn reads the token from this cookie (tools/edge/config.py)
SIGNIN_COOKIE = "fintech_console_signin"
SIGNIN_SECONDS = 300
TIMEOUT = aiohttp.ClientTimeout(total=5)


class SignInFailed(ValueError):
    """The callback does not match a sign-in this browser started, or the issuer refused the code."""


@dataclass(frozen=True)
class Started:
    """Where to send the browser, and the cookie that remembers this sign-in."""

    location: str
    cookie: str


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class SignIn:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        console = settings.console
        self.client_id = console.client_id
        client = settings.edge.clients.get(console.client_id)
        self.secret = client.secret if client else ""
        self.edge_url = f"http://{settings.mesh.host}:{settings.envoy.rest_port}"
        self.issuer_url = f"http://{settings.mesh.host}:{settings.edge.issuer_port}"
        self.redirect_uri = f"{self.edge_url}{console.path}/callback"

    def start(self) -> Started:
        state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = urllib.parse.urlencode({
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        })  # fmt: skip
        return Started(f"{self.issuer_url}/oauth2/authorize?{query}", f"{state}.{verifier}")

    async def finish(self, cookie: str | None, state: str, code: str) -> tuple[str, int]:
        """The access token and its lifetime in seconds for the callback's code."""
        remembered, _, verifier = (cookie or "").partition(".")
        if not remembered or not verifier or not secrets.compare_digest(remembered, state) or not code:
            raise SignInFailed("this sign-in was not started here, or took too long")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        auth = aiohttp.BasicAuth(self.client_id, self.secret)
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(f"{self.issuer_url}/oauth2/token", data=form, auth=auth) as response,
        ):
            body = await response.json(content_type=None)
            if response.status != 200:
                raise SignInFailed(f"the issuer refused the code: {body.get('error', response.status)}")
        return str(body["access_token"]), int(body.get("expires_in", 600))
