"""Session fixtures: the test settings and the local mesh.

Tests get a mesh of their own, so that `make test` runs beside a developer's `make up`: state in
var/test and every port moved by moved_port(), in 20000-29999. Both are set as FINTECH_* environment
variables before any Settings exist, so get_settings() in a test and every process a test starts see
the same values. The test ports also stay below Linux's ephemeral range (32768-60999): a port in it
can be taken at random as the source port of some outgoing connection (a Kafka client's, say), and the
broker then fails to bind it.

Only tests marked `@pytest.mark.mesh` touch it. The marker names the components a test needs
(`@pytest.mark.mesh("postgres", "kafka")`; no names: every component that exists, but the collectors of logs,
metrics and traces); they are started on first use, kept for the session (`up()` of a ready component costs
one probe) and stopped at the end. The first use wipes var/test, so each session starts from empty databases
and topics; set FINTECH_TEST_KEEP_STATE=1 to keep it (faster when iterating).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from services.runtime import grpc_env

grpc_env.configure()  # before grpc's import, as a service's entry point does: this process's servers too are TLS 1.3

from services.runtime.config import ROOT, Settings, get_settings  # noqa: E402

if TYPE_CHECKING:
    from tools.mesh import Mesh

TEST_STATE_DIR = ROOT / "var" / "test"
TEST_FLAGS = TEST_STATE_DIR / "flags" / "flags.flagd.json"
LOCK_TIMEOUT = float(os.environ.get("FINTECH_TEST_LOCK_TIMEOUT", "3600"))


def moved_port(port: int) -> int:
    return 20000 + port % 10000


def _test_environment() -> dict[str, str]:
    """FINTECH_* overrides: the test state directory and every port of the configuration moved."""
    base = Settings()
    environment = {"FINTECH_MESH__STATE_DIR": str(TEST_STATE_DIR)}
    # `mesh()` (every component) leaves the collectors out; a test that needs one names it.
    environment["FINTECH_MESH__COLLECTORS"] = "false"
    # The data platform (object store, lake service) too.
    environment["FINTECH_MESH__DATA_PLATFORM"] = "false"
    # The lake's reconciliation runs every few seconds, so a test sees its gauges move.
    environment["FINTECH_RECONCILIATION__INTERVAL_SECONDS"] = "5"
    # The services' feature flags: a copy of flags/flags.flagd.json that tests rewrite (the mesh fixture makes it).
    environment["FINTECH_FLAGS__PATH"] = str(TEST_FLAGS)
    original: list[int] = []
    sections = {
        name: getattr(base, name)
        for name in ("postgres", "kafka", "redis", "triton", "envoy", "edge", "ratelimit", "supervisor", "jaeger")
    }
    sections |= {f"services__{name}": service for name, service in base.services.items()}
    # The local monitoring (tools/mesh/prometheus.py, alertmanager.py, exporters.py).
    sections |= {
        name: getattr(base, name) for name in ("prometheus", "alertmanager", "postgres_exporter", "redis_exporter")
    }
    sections |= {"victorialogs": base.victorialogs}
    sections |= {"object_store": base.object_store}
    sections |= {"console": base.console}  # the operations console's web port
    for section, values in sections.items():
        for key, value in values.model_dump().items():
            if key.endswith("port"):
                original.append(value)
                environment[f"FINTECH_{section}__{key}".upper()] = str(moved_port(value))
    moved = [moved_port(port) for port in original]
    # Every port must move onto its own: none shared with the developer's mesh or with another test port.
    assert len(set(moved)) == len(moved) and not set(original) & set(moved), "change moved_port()"
    return environment


if "FINTECH_MESH__STATE_DIR" not in os.environ:  # a run that sets its own state dir keeps its ports too
    os.environ.update(_test_environment())
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def mesh(settings: Settings) -> Iterator[Mesh]:
    """The test session's mesh; components start as marked tests ask for them (see the module doc)."""
    from tools.mesh import Mesh  # imported here: contract tests need none of the mesh's clients

    mesh = Mesh(settings)
    # A state dir given from outside (FINTECH_MESH__STATE_DIR) is someone's mesh: use it, leave it running.
    if settings.state_dir != TEST_STATE_DIR:
        yield mesh
        return
    with _exclusive(TEST_STATE_DIR.with_name("test.lock")):
        mesh.down()  # a previous session that died may have left its supervisord running
        if os.environ.get("FINTECH_TEST_KEEP_STATE") != "1":
            shutil.rmtree(settings.state_dir, ignore_errors=True)
        TEST_FLAGS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "flags" / "flags.flagd.json", TEST_FLAGS)  # each session starts from the repo's flags
        try:
            yield mesh
        finally:
            mesh.down()


@contextlib.contextmanager
def _exclusive(lock_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """One test session at a time owns the test mesh (same ports, same state); others wait their turn."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another test session has held {lock_path} for {timeout:.0f} s")
                time.sleep(0.5)
        yield


@pytest.fixture(autouse=True)
def _mesh_components(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("mesh")
    if marker is None:
        if "mesh" in request.fixturenames:
            pytest.fail("a test that uses the mesh fixture must be marked @pytest.mark.mesh")
        return
    request.getfixturevalue("mesh").up(*marker.args)
