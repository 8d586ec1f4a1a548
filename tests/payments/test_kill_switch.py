"""The webhook dispatcher's kill switch (services/payments/app/webhook_delivery.py) over flagd's real evaluator: read
every round, off claims nothing (no database touched), its gauge says so, on resumes; no flags: always on."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from prometheus_client import REGISTRY

from services.payments.app.webhook_delivery import WebhookDispatcher
from services.runtime.flags import Flags
from services.runtime.flags_settings import FlagSettings
from tests.runtime.flag_files import repo_flags, with_default, write


class NoDatabase:
    """Held means no claim: any use of the database fails the test."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the database was used ({name}) while deliveries are held")


def held() -> float:
    return REGISTRY.get_sample_value("webhook_delivery_held") or 0.0


def test_off_holds_every_delivery_and_on_resumes(tmp_path: Path) -> None:
    path = tmp_path / "flags.flagd.json"
    write(path, with_default("webhook-delivery", "off"))
    flags = Flags(FlagSettings(path=path, poll_interval_seconds=0.05), f"t-{uuid.uuid4()}")
    asyncio.run(flags.start())
    dispatcher = WebhookDispatcher(NoDatabase(), None, None, flags=flags)  # type: ignore[arg-type]
    assert asyncio.run(dispatcher.dispatch_due()) == 0 and held() == 1
    write(path, repo_flags())
    deadline = time.monotonic() + 3
    while not dispatcher.delivering():
        assert time.monotonic() < deadline, "the switch was not seen on again"
        time.sleep(0.02)
    assert held() == 0


def test_without_flags_deliveries_are_never_held() -> None:
    assert WebhookDispatcher(NoDatabase(), None, None).delivering()  # type: ignore[arg-type]
