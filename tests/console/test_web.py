"""The console's web server in process (aiohttp's test server, cluster mode: no TLS), with tokens the dev issuer's key
signed: the stream outlives quiet spells, shows a viewer only their panels, and refuses who has none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from fintech.analytics.v1 import aggregates_pb2

from services.console.app.feed import Feed
from services.console.domain.panels import PANEL_TOPICS, Panel
from services.console.entrypoints import web
from services.console.entrypoints.web import Console
from services.runtime.config import Settings
from tools.edge.tokens import ensure_signing_key, issue_token


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    settings = Settings(mesh={"state_dir": tmp_path, "mode": "cluster"})
    ensure_signing_key(settings)
    return settings


@pytest.fixture
async def client(console_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[TestClient, Feed]]:
    monkeypatch.setattr(web, "HEARTBEAT_SECONDS", 0.05)
    feed = Feed(timedelta(minutes=60))
    async with TestClient(TestServer(Console(feed, console_settings).app())) as test_client:
        yield test_client, feed


def cookie(settings: Settings, *roles: str, **claims: str) -> dict[str, str]:
    return {"cookie": f"fintech_console={issue_token(settings, 'someone', roles=list(roles), **claims)}"}


async def _event(lines: asyncio.StreamReader) -> tuple[str, str]:
    """The next event's name and data, heartbeats skipped."""
    name = ""
    while True:
        line = (await asyncio.wait_for(lines.readline(), 5)).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name:
            return name, line[6:]


async def test_the_stream_outlives_quiet_spells_and_carries_the_viewers_panels_only(client, console_settings):
    test_client, feed = client
    response = await test_client.get("/console/events", headers=cookie(console_settings, "compliance_officer"))
    assert response.status == 200 and response.headers["content-type"] == "text/event-stream"
    name, data = await _event(response.content)
    assert name == "snapshot" and '"panels":["kyc","review","settlement"]' in data
    await asyncio.sleep(0.3)  # six heartbeats of nothing
    fraud = aggregates_pb2.FraudDecisionWindow(model_name="fraud").SerializeToString()
    entry = aggregates_pb2.ReviewQueueEntry(payment_id="p-9").SerializeToString()
    feed.apply([(PANEL_TOPICS[Panel.FRAUD], "f", fraud), (PANEL_TOPICS[Panel.REVIEW], "p-9", entry)])
    name, data = await _event(response.content)
    assert name == "update" and '"key":"p-9"' in data and "fraud" not in data
    response.close()


@pytest.mark.parametrize(("roles", "status"), [((), 403), (("customer",), 403), (("teller",), 403), (("admin",), 200)])
async def test_the_data_is_for_roles_with_panels(client, console_settings, roles, status):
    test_client, _ = client
    response = await test_client.get("/console/api/view", headers=cookie(console_settings, *roles))
    assert response.status == status


async def test_without_a_valid_token_the_page_sends_to_sign_in_and_the_data_is_401(client, console_settings):
    test_client, _ = client
    page = await test_client.get("/console/", allow_redirects=False)
    assert page.status == 302 and page.headers["location"] == "/console/login"
    forged = {"cookie": "fintech_console=e30.e30.e30"}
    assert (await test_client.get("/console/api/view", headers=forged)).status == 401
    login = await test_client.get("/console/login", allow_redirects=False)
    assert login.status == 302 and "code_challenge_method=S256" in login.headers["location"]
    assert "httponly" in login.headers["set-cookie"].lower()
    bad = await test_client.get("/console/callback?state=x&code=y", allow_redirects=False)
    assert bad.status == 400  # no sign-in was started in this browser
