"""The global rate limit: every edge replica spends one budget per client, counted in Redis by the ratelimit service.

A second Envoy, started here with the mesh's generated configuration on other ports, is the second replica.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from services.runtime.config import Settings
from services.runtime.redis_client import connect
from tests.edge.conftest import RATE_LIMIT
from tests.edge.rest import Reply, request
from tools.edge.mint import mint
from tools.edge.rate_limits import UNITS
from tools.mesh import Mesh
from tools.mesh.envoy import _envoy_binary
from tools.mesh.ratelimit import RateLimit

pytestmark = pytest.mark.mesh()
PATH = "/v1/payments/42"  # answered 400 by the service's validation: cheap and deterministic
# The second replica's ports: beside the first's, inside the tests' range.
SECOND_PORT_OFFSET = 100
START_TIMEOUT = 30.0
# Time the shared-budget test needs in one window of the service's counters (about 20 requests).
WINDOW_MARGIN_SECONDS = 20
# Envoy counts the global limit's outcomes under the route's cluster (PATH: payments) and the filter's prefix.
FAIL_OPEN_STAT = "cluster.payments.ratelimit.edge_global_rate_limit.failure_mode_allowed"


def _token(settings: Settings) -> tuple[str, str]:
    subject = f"test-{uuid.uuid4()}"
    return subject, mint(settings, "admin", subject=subject)


@pytest.fixture(scope="module")
def second_edge(settings: Settings, mesh: Mesh, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another Envoy with the same generated configuration, on its own REST and admin ports: its base URL."""
    config = yaml.safe_load((settings.state_dir / "envoy" / "envoy.yaml").read_text())
    rest_port = settings.envoy.rest_port + SECOND_PORT_OFFSET
    admin_port = settings.envoy.admin_port + SECOND_PORT_OFFSET
    config["admin"]["address"]["socket_address"]["port_value"] = admin_port
    (listener,) = config["static_resources"]["listeners"]
    listener["address"]["socket_address"]["port_value"] = rest_port
    path = tmp_path_factory.mktemp("second-edge") / "envoy.yaml"
    path.write_text(yaml.safe_dump(config))
    log = (path.parent / "envoy.log").open("w")
    command = [_envoy_binary(), "-c", str(path), "--base-id", str(admin_port), "--log-level", "warn"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (_listening(admin_port) and request(f"http://127.0.0.1:{admin_port}/ready").status == 200):
            assert process.poll() is None, (path.parent / "envoy.log").read_text()
            assert time.monotonic() < deadline, "the second Envoy did not get ready"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{rest_port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _first_edge(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.envoy.rest_port}"


def _within_one_window(settings: Settings) -> None:
    """The service counts in fixed windows (from the epoch): start in a fresh one when this one ends soon."""
    window = settings.edge.rate_limit_window_seconds
    assert window in UNITS and window >= WINDOW_MARGIN_SECONDS * 2
    left = window - time.time() % window
    if left < WINDOW_MARGIN_SECONDS:
        time.sleep(left + 0.5)


def _is_rate_limited(reply: Reply) -> dict:
    """429 with the same JSON status as the local limit's (google.rpc.Status, ErrorInfo RATE_LIMITED)."""
    assert reply.status == 429, (reply.status, reply.body)
    assert reply.headers["content-type"].startswith("application/json"), reply.headers
    assert "x-envoy-ratelimited" not in reply.headers and not [h for h in reply.headers if h.startswith("grpc-")]
    body = reply.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == 8, body
    assert [d["reason"] for d in body["details"]] == ["RATE_LIMITED"], body
    return body


def test_two_edges_share_one_budget_counted_in_redis(settings: Settings, second_edge: str):
    first = _first_edge(settings)
    subject, token = _token(settings)
    _, other = _token(settings)
    _within_one_window(settings)
    # Part of the budget through one replica, the rest through the other: each local bucket keeps tokens.
    through_first = RATE_LIMIT // 2 + 1
    replies = [request(first + PATH, token=token) for _ in range(through_first)]
    replies += [request(second_edge + PATH, token=token) for _ in range(RATE_LIMIT - through_first)]
    assert [r.status for r in replies] == [400] * RATE_LIMIT
    # The budget is spent: the next request is refused on either replica, though neither spent its own.
    global_refusal = _is_rate_limited(request(first + PATH, token=token))
    _is_rate_limited(request(second_edge + PATH, token=token))
    # Another client is unaffected on both.
    assert request(first + PATH, token=other).status == 400
    assert request(second_edge + PATH, token=other).status == 400
    # The counter is in Redis, under the domain and the client.
    assert _counter(settings, subject) >= RATE_LIMIT
    # Same answer as when the local bucket is empty.
    local_refusal = _spend_the_local_bucket(settings)
    assert global_refusal == local_refusal


def _counter(settings: Settings, subject: str) -> int:
    async def read() -> int:
        client = connect(settings, "cli")
        try:
            keys = [key async for key in client.scan_iter(match=f"{settings.ratelimit.domain}_client_{subject}_*")]
            assert len(keys) == 1, keys
            return int(await client.get(keys[0]))
        finally:
            await client.aclose()

    return asyncio.run(read())


def _spend_the_local_bucket(settings: Settings) -> dict:
    _, token = _token(settings)
    replies = [request(_first_edge(settings) + PATH, token=token) for _ in range(RATE_LIMIT + 1)]
    assert [r.status for r in replies[:RATE_LIMIT]] == [400] * RATE_LIMIT
    return _is_rate_limited(replies[-1])


def test_with_the_service_down_the_edge_fails_open_and_the_local_limit_holds(settings: Settings, mesh: Mesh):
    admin = f"http://127.0.0.1:{settings.envoy.admin_port}"
    before = _stat(admin, FAIL_OPEN_STAT)
    mesh.stop("ratelimit")
    try:
        assert not _ready(settings)
        _, token = _token(settings)
        replies = [request(_first_edge(settings) + PATH, token=token) for _ in range(RATE_LIMIT + 1)]
        # Every request within the budget is served, though the service cannot be asked ...
        assert [r.status for r in replies[:RATE_LIMIT]] == [400] * RATE_LIMIT
        assert _stat(admin, FAIL_OPEN_STAT) >= before + RATE_LIMIT
        # ... and this replica still holds the client to it.
        _is_rate_limited(replies[-1])
    finally:
        mesh.up("ratelimit")
    assert _ready(settings)


def _ready(settings: Settings) -> bool:
    return asyncio.run(RateLimit(settings).ready())


def _stat(admin: str, name: str) -> int:
    for line in request(f"{admin}/stats?filter=^{name}$").body.decode().splitlines():
        key, _, value = line.partition(": ")
        if key == name:
            return int(value)
    return 0


def test_the_limits_file_is_the_mesh_settings(settings: Settings):
    config = yaml.safe_load(Path(RateLimit(settings).config_path).read_text())
    assert config["domain"] == settings.ratelimit.domain
    (descriptor,) = config["descriptors"]
    assert descriptor == {
        "key": "client",
        "rate_limit": {"unit": UNITS[settings.edge.rate_limit_window_seconds], "requests_per_unit": RATE_LIMIT},
    }
