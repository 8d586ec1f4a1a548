"""The cluster's flag source (`[flags] provider = "in-process"`): the flags streamed from flagd's sync service (the
sidecar the OpenFeature Operator injects), evaluated in process. flagd itself cannot be installed here, so a small
server speaks flagd's sync protocol (the provider package's own flagd.sync.v1 stubs) and streams the repository's
flag file, then an edit of it; when the stream breaks, the flags last received are served for flagd's grace period,
then the safe defaults."""

from __future__ import annotations

import asyncio
import json
import queue
import time
import uuid
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from openfeature.schemas.protobuf.flagd.sync.v1 import sync_pb2, sync_pb2_grpc

from services.runtime import flags
from services.runtime.flags_settings import FlagSettings
from tests.runtime.flag_files import repo_flags, with_default


class SyncService(sync_pb2_grpc.FlagSyncServiceServicer):
    """flagd's sync service: the current flags on connect, then every update pushed."""

    def __init__(self) -> None:
        self.updates: queue.Queue[str | None] = queue.Queue()
        self.current = json.dumps(repo_flags())

    def SyncFlags(self, request, context) -> Iterator[sync_pb2.SyncFlagsResponse]:  # noqa: N802 - the proto's name
        yield sync_pb2.SyncFlagsResponse(flag_configuration=self.current)
        while context.is_active():
            try:
                update = self.updates.get(timeout=0.1)
            except queue.Empty:
                continue
            if update is None:
                return
            self.current = update
            yield sync_pb2.SyncFlagsResponse(flag_configuration=update)


@pytest.fixture
def sidecar() -> Iterator[tuple[SyncService, int, grpc.Server]]:
    service = SyncService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    sync_pb2_grpc.add_FlagSyncServiceServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield service, port, server
    service.updates.put(None)
    server.stop(grace=None)


def eventually(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the timeout"
        time.sleep(0.02)


def test_the_sidecars_flags_are_evaluated_in_process_and_an_update_needs_no_restart(sidecar) -> None:
    service, port, server = sidecar
    client = flags.Flags(FlagSettings(provider="in-process", host="127.0.0.1", port=port), f"sidecar-{uuid.uuid4()}")
    asyncio.run(client.start())
    assert client.boolean("webhook-delivery", True) == flags.Evaluation(True, "on")
    ctx = flags.context(payment_id="p-1")
    assert client.string("fraud-challenger-share", "", ctx).variant in ("production", "challenger")

    service.updates.put(json.dumps(with_default("webhook-delivery", "off")))  # the FeatureFlag edited
    eventually(lambda: client.boolean("webhook-delivery", True) == flags.Evaluation(False, "off"))

    server.stop(grace=None)  # the sidecar goes away: the last flags (flagd's STALE, 5 s), then the safe defaults
    answers = set()

    def on_defaults() -> bool:
        answers.add(client.boolean("webhook-delivery", True))  # never an error to the caller meanwhile
        return flags.Evaluation(True, "default") in answers

    eventually(on_defaults, timeout=20)
    assert answers <= {flags.Evaluation(False, "off"), flags.Evaluation(True, "default")}
    asyncio.run(client.stop())
