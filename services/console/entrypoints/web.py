"""The console's web server (aiohttp): the page, its static files, sign-in, and the server-sent event stream.

    GET /console/            the page (signed in, with at least one panel), else to sign-in (none) or 403 (a role
                             without panels: customer, teller)
    GET /console/events      text/event-stream: `snapshot`, then `update` (aggregate changes) and `slo` events,
                             only of the viewer's panels; it ends when the token expires (the page signs in again)
    GET /console/api/view    the same snapshot as JSON
    GET /console/login, /console/callback, /console/logout   sign-in (adapters/signin.py)
    GET /console/static/...  the page's script, styles and the vendored ECharts

aiohttp rather than Starlette + uvicorn: it is already the mesh's HTTP client library (the SLO reader uses its client),
it runs on the service's own event loop beside the gRPC health server (no second server process or framework), and
its StreamResponse is all server-sent events need. Server-sent events rather than websockets: the stream is one way
(server to browser), EventSource reconnects by itself, and it is plain HTTP through the edge (no upgrade to route).

In local mode it serves TLS 1.3 and requires a client certificate from the mesh CA, and only the edge's
(`edge-gateway`) gets an answer: the browser reaches it through the edge alone. Every request that shows data
verifies the person's token itself too (services/runtime/access.py), whatever the edge did.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

from services.console.adapters.signin import SIGNIN_COOKIE, SIGNIN_SECONDS, TOKEN_COOKIE, SignIn, SignInFailed
from services.console.app.feed import Feed
from services.console.domain.panels import panels_for
from services.runtime.access import InvalidClaims, Principal, denied, principal_from_claims, verify_token
from services.runtime.config import Settings
from services.runtime.errors import Unauthenticated
from services.runtime.tls import certs_dir

log = structlog.get_logger("console.web")

STATIC = Path(__file__).resolve().parents[1] / "static"
EDGE_WORKLOAD = "edge-gateway"
HEARTBEAT_SECONDS = 15.0
VIEW_METHOD = "/fintech.console/ViewConsole"  # how a refusal is named in the security log and the denial counter
SECURITY_HEADERS = {
    # Scripts and styles from the console itself only (ECharts is vendored); no framing, no referrer leaks.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


class Viewer:
    """A signed-in person and the panels they may see, until their token expires."""

    def __init__(self, who: Principal, expires: float) -> None:
        self.who = who
        self.panels = panels_for(who.roles)
        self.expires = expires


class Console:
    def __init__(self, feed: Feed, settings: Settings) -> None:
        self.feed = feed
        self.settings = settings
        self.path = settings.console.path
        self.signin = SignIn(settings)
        self._runner: web.AppRunner | None = None

    # -- the server -------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._from_edge_only, self._headers])
        p = self.path
        app.router.add_get(f"{p}/", self.page)
        app.router.add_get(p, self.to_page)
        app.router.add_get(f"{p}/events", self.events)
        app.router.add_get(f"{p}/api/view", self.view)
        app.router.add_get(f"{p}/login", self.login)
        app.router.add_get(f"{p}/callback", self.callback)
        app.router.add_get(f"{p}/logout", self.logout)
        app.router.add_static(f"{p}/static", STATIC, show_index=False, follow_symlinks=False)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        console = self.settings.console
        site = web.TCPSite(self._runner, console.host, console.http_port, ssl_context=self._tls(), shutdown_timeout=2)
        await site.start()
        log.info("console.listening", host=console.host, port=console.http_port, path=self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _tls(self) -> ssl.SSLContext | None:
        if self.settings.mesh.mode != "local":
            return None  # behind the Istio sidecar, which terminates mTLS; its AuthorizationPolicy admits the edge
        certs = certs_dir(self.settings)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_cert_chain(certs / "console.pem", certs / "console-key.pem")
        context.load_verify_locations(certs / "ca.pem")
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    @web.middleware
    async def _from_edge_only(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.settings.mesh.mode == "local":
            peer = request.transport.get_extra_info("peercert") if request.transport else None
            uris = [value for kind, value in (peer or {}).get("subjectAltName", ()) if kind == "URI"]
            if self.settings.spiffe_id(EDGE_WORKLOAD) not in uris:
                return web.Response(status=403, text="the console answers the edge only")
        response: web.StreamResponse = await handler(request)
        return response

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPException as error:
            response = error
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        if isinstance(response, web.HTTPException):
            raise response
        return response

    # -- who is asking ----------------------------------------------------------------------------

    def viewer(self, request: web.Request) -> Viewer | None:
        """The signed-in person (their token verified here too), None without a valid token."""
        token = request.cookies.get(TOKEN_COOKIE)
        if not token:
            return None
        try:
            claims = verify_token(token, self.settings)
            return Viewer(principal_from_claims(claims, EDGE_WORKLOAD), float(claims["exp"]))
        except (Unauthenticated, InvalidClaims, KeyError):
            denied(None, "invalid_token", VIEW_METHOD)
            return None

    def _refused(self, viewer: Viewer) -> web.Response:
        denied(viewer.who, "role", VIEW_METHOD)
        page = (STATIC / "refused.html").read_text()
        return web.Response(status=403, text=page, content_type="text/html")

    # -- pages ------------------------------------------------------------------------------------

    async def to_page(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{self.path}/")

    async def page(self, request: web.Request) -> web.StreamResponse:
        viewer = self.viewer(request)
        if viewer is None:
            raise web.HTTPFound(f"{self.path}/login")
        if not viewer.panels:
            return self._refused(viewer)
        return web.FileResponse(STATIC / "index.html")

    async def view(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        if viewer is None:
            return web.json_response({"error": "sign in"}, status=401)
        if not viewer.panels:
            denied(viewer.who, "role", VIEW_METHOD)
            return web.json_response({"error": "the console is not open to your role"}, status=403)
        return web.json_response(self._snapshot(viewer))

    def _snapshot(self, viewer: Viewer) -> dict[str, Any]:
        return {**self.feed.snapshot(viewer.panels), "user": viewer.who.subject, "roles": sorted(viewer.who.roles)}

    async def events(self, request: web.Request) -> web.StreamResponse:
        viewer = self.viewer(request)
        if viewer is None:
            return web.json_response({"error": "sign in"}, status=401)
        if not viewer.panels:
            denied(viewer.who, "role", VIEW_METHOD)
            return web.json_response({"error": "the console is not open to your role"}, status=403)
        response = web.StreamResponse(headers={"content-type": "text/event-stream", **SECURITY_HEADERS})
        await response.prepare(request)
        messages = self.feed.follow(viewer.panels)
        # The next message, awaited across heartbeats: cancelling the generator's own wait would end it.
        pending: asyncio.Future[tuple[str, Any]] | None = None
        try:
            while (left := viewer.expires - time.time()) > 0:
                pending = pending or asyncio.ensure_future(anext(messages))
                done, _ = await asyncio.wait({pending}, timeout=min(left, HEARTBEAT_SECONDS))
                if not done:
                    await response.write(b": heartbeat\n\n")  # keeps proxies from closing an idle stream
                    continue
                try:
                    name, data = pending.result()
                except StopAsyncIteration:
                    return response  # too slow, dropped: the browser reconnects and starts from a snapshot
                pending = None
                if name == "snapshot":
                    data = {**data, "user": viewer.who.subject, "roles": sorted(viewer.who.roles)}
                await response.write(f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode())
            await response.write(b"event: expired\ndata: {}\n\n")  # the page signs in again
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the browser went away
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await pending
            await messages.aclose()
        return response

    # -- sign-in ----------------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        started = self.signin.start()
        response = web.HTTPFound(started.location)
        response.set_cookie(SIGNIN_COOKIE, started.cookie, max_age=SIGNIN_SECONDS, path=self.path, httponly=True,
                            samesite="Lax")  # fmt: skip
        raise response

    async def callback(self, request: web.Request) -> web.Response:
        try:
            token, ttl = await self.signin.finish(
                request.cookies.get(SIGNIN_COOKIE), request.query.get("state", ""), request.query.get("code", "")
            )
        except SignInFailed as error:
            log.warning("console.signin_failed", reason=str(error))
            return web.Response(status=400, text=f"Sign-in failed: {error}. Start again at {self.path}/login")
        response = web.HTTPFound(f"{self.path}/")
        response.del_cookie(SIGNIN_COOKIE, path=self.path)
        response.set_cookie(TOKEN_COOKIE, token, max_age=ttl, path=self.path, httponly=True, samesite="Lax")
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        response = web.Response(text="Signed out.", content_type="text/plain")
        response.del_cookie(TOKEN_COOKIE, path=self.path)
        return response
