"""The dev token issuer: OAuth2 for local use (`python -m tools.edge.issuer`).

    POST /oauth2/token   grant_type=client_credentials, client id and secret as HTTP Basic auth or as
                         client_id / client_secret form fields (RFC 6749 §2.3.1) -> {"access_token", ...};
                         grant_type=authorization_code with the code, redirect_uri and code_verifier (PKCE)
    GET  /oauth2/authorize   the sign-in form for a person (authorization code with PKCE, RFC 7636, S256 only)
    POST /oauth2/authorize   user name and password -> 303 to the client's redirect_uri with code and state
    GET  /.well-known/jwks.json   the public key Envoy verifies tokens with
    GET  /.well-known/openid-configuration   OpenID Connect discovery: the issuer, its JWKS and token endpoint
    GET  /healthz        200 once the signing key is loaded

Clients and their secrets come from `[edge.clients.<id>]` in mesh.toml. Tokens are RS256, short-lived
(edge.token_ttl_seconds) and carry iss, aud, sub (= client id), client_id, scope, iat, exp, jti. The
standard library's HTTP server is enough for a development issuer; in a cluster an identity provider
takes its place and Envoy only needs its issuer, audience and JWKS.

Discovery names the endpoints at the address the issuer listens on; its `issuer` is the tokens' `iss`
(edge.issuer), which in development is not that address (OpenID Connect wants them equal; a real
identity provider serves discovery under its issuer URL).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import signal
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.runtime.config import Settings, get_settings
from tools.edge.signin import AuthorizationCodes, SignInError, login_form
from tools.edge.tokens import ALGORITHM, ensure_signing_key, issue_token, jwks_document, key_id

log = logging.getLogger("tools.edge.issuer")
MAX_BODY = 8 * 1024


class TokenIssuer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.settings = settings
        key, _ = ensure_signing_key(settings)
        self.jwks = json.dumps(jwks_document(key.public_key(), key_id(key.public_key()))).encode()
        port = settings.edge.issuer_port if port is None else port
        super().__init__((settings.mesh.host, port), _Handler)
        self.codes = AuthorizationCodes(settings)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        assert isinstance(host, str)  # an AF_INET address
        return f"http://{host}:{port}"

    def discovery(self) -> dict[str, Any]:
        """The OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414)."""
        scopes = sorted({scope for client in self.settings.edge.clients.values() for scope in client.scope.split()})
        return {
            "issuer": self.settings.edge.issuer,
            "jwks_uri": f"{self.base_url}/.well-known/jwks.json",
            "token_endpoint": f"{self.base_url}/oauth2/token",
            "authorization_endpoint": f"{self.base_url}/oauth2/authorize",
            "grant_types_supported": ["client_credentials", "authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": ["token", "code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_signing_alg_values_supported": [ALGORITHM],
            "scopes_supported": scopes,
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "iat",
                "exp",
                "jti",
                "client_id",
                "scope",
                "roles",
                "customer_id",
                "branch_id",
            ],
        }

    def client_token(self, client_id: str, secret: str, scope: str | None) -> dict[str, Any] | None:
        """The token response for valid client credentials, None for anything else."""
        client = self.settings.edge.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            return None
        granted = set(client.scope.split())
        requested = set(scope.split()) if scope else granted
        if not requested <= granted:
            return None
        scope_text = " ".join(sorted(requested))
        ttl = self.settings.edge.token_ttl_seconds
        token = issue_token(self.settings, client_id, ttl=ttl, client_id=client_id, scope=scope_text)
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": scope_text}


class _Handler(BaseHTTPRequestHandler):
    server: TokenIssuer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the standard library's naming)
        if self.path.startswith("/oauth2/authorize?"):
            query = {k: v[0] for k, v in urllib.parse.parse_qs(self.path.partition("?")[2]).items()}
            try:
                self.server.codes.check_request(query)
            except SignInError as error:
                self._error(HTTPStatus.BAD_REQUEST, error.code)
                return
            self._send(HTTPStatus.OK, login_form(query).encode(), "text/html; charset=utf-8")
        elif self.path == "/.well-known/jwks.json":
            self._send(HTTPStatus.OK, self.server.jwks)
        elif self.path == "/.well-known/openid-configuration":
            self._send(HTTPStatus.OK, json.dumps(self.server.discovery()).encode())
        elif self.path == "/healthz":
            self._send(HTTPStatus.OK, b'{"status": "ok"}')
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found")

    def do_POST(self) -> None:  # noqa: N802
        if self.path not in ("/oauth2/token", "/oauth2/authorize"):
            self._error(HTTPStatus.NOT_FOUND, "not_found")
            return
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "invalid_request")
            return
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        field = {name: values[0] for name, values in form.items()}
        if self.path == "/oauth2/authorize":
            self._sign_in(field)
            return
        client_id, secret = _basic_credentials(self.headers.get("authorization", ""))
        client_id = client_id or field.get("client_id", "")
        secret = secret or field.get("client_secret", "")
        if field.get("grant_type") == "authorization_code":
            try:
                self._send(HTTPStatus.OK, json.dumps(self.server.codes.redeem(client_id, secret, field)).encode())
            except SignInError as error:
                self._error(HTTPStatus.UNAUTHORIZED if error.code == "invalid_client" else HTTPStatus.BAD_REQUEST,
                            error.code)  # fmt: skip
            return
        if field.get("grant_type") != "client_credentials":
            self._error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type")
            return
        response = self.server.client_token(client_id, secret, field.get("scope"))
        if response is None:
            # RFC 6749 §5.2: one answer for an unknown client, a wrong secret and a scope not granted.
            self._error(HTTPStatus.UNAUTHORIZED, "invalid_client")
            return
        self._send(HTTPStatus.OK, json.dumps(response).encode())

    def _sign_in(self, field: dict[str, str]) -> None:
        """The login form's answer: back to the client with a code, or the form again with an error."""
        try:
            location = self.server.codes.sign_in(field)
        except SignInError as error:
            if error.code != "access_denied":
                self._error(HTTPStatus.BAD_REQUEST, error.code)
                return
            page = login_form(field, failed=True).encode()
            self._send(HTTPStatus.UNAUTHORIZED, page, "text/html; charset=utf-8")
            return
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("location", location)
        self.send_header("content-length", "0")
        self.send_header("cache-control", "no-store")
        self.end_headers()

    def _error(self, status: HTTPStatus, error: str) -> None:
        self._send(status, json.dumps({"error": error}).encode())

    def _send(self, status: HTTPStatus, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("cache-control", "no-store")
        if status == HTTPStatus.UNAUTHORIZED and content_type == "application/json":
            self.send_header("www-authenticate", 'Basic realm="token"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # Request lines only: no bodies, so no secrets in the log.
        log.info("%s %s", self.address_string(), format % args)


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format='{"time": "%(asctime)s", "logger": "%(name)s", "msg": "%(message)s"}'
    )
    server = TokenIssuer(get_settings())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="issuer", daemon=True)
    thread.start()
    log.info("token issuer on http://%s:%d", *server.server_address[:2])
    stop.wait()
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
