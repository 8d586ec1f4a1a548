"""The runtime's feature flags (services/runtime/flags.py) over flagd's real in-process evaluator and a real flag
file: values and variants, a change seen without a restart, the safe defaults while the file is missing or broken,
the fractional split, the caller in the evaluation context."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from services.runtime import access, flags
from services.runtime.flags_settings import FlagSettings
from tests.runtime.flag_files import REPO_FLAGS, challenger_share, write


def fallbacks(flag: str, error: str) -> float:
    return REGISTRY.get_sample_value("feature_flag_fallbacks_total", {"flag": flag, "error": error}) or 0.0


def eventually(check: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the timeout"
        time.sleep(0.02)


@pytest.fixture
def flag_file(tmp_path: Path) -> Path:
    path = tmp_path / "flags.flagd.json"
    write(path, json.loads(REPO_FLAGS.read_text()))
    return path


def client(path: Path) -> flags.Flags:
    found = flags.Flags(FlagSettings(path=path, poll_interval_seconds=0.05), f"test-{uuid.uuid4()}")
    asyncio.run(found.start())
    return found


def test_the_repository_flag_file_is_flagd_json_with_its_schema() -> None:
    document = json.loads(REPO_FLAGS.read_text())
    assert document["$schema"] == "https://flagd.dev/schema/v0/flags.json"
    assert set(document["flags"]) == {"fraud-challenger-share", "webhook-delivery", "wearable-channel-rollout"}


def test_a_flag_serves_its_variant_and_a_change_is_seen_without_a_restart(flag_file: Path) -> None:
    f = client(flag_file)
    assert f.boolean("webhook-delivery", True) == flags.Evaluation(True, "on")
    document = json.loads(flag_file.read_text())
    document["flags"]["webhook-delivery"]["defaultVariant"] = "off"
    write(flag_file, document)
    eventually(lambda: f.boolean("webhook-delivery", True) == flags.Evaluation(False, "off"))


def test_the_fractional_split_follows_the_share_and_is_sticky_per_key(flag_file: Path) -> None:
    f = client(flag_file)
    ids = [str(uuid.UUID(int=i * 7919 + 12345, version=4)) for i in range(2000)]

    def split() -> Counter[str]:
        return Counter(f.string("fraud-challenger-share", "", flags.context(payment_id=i)).variant for i in ids)

    write(flag_file, challenger_share(0))
    eventually(lambda: split() == {"production": len(ids)})
    write(flag_file, challenger_share(100))
    eventually(lambda: split() == {"challenger": len(ids)})
    write(flag_file, challenger_share(50))
    eventually(lambda: len(split()) == 2)
    # Binomial: n = 2000, p = 0.5, sd = 22; within 4 sd.
    assert abs(split()["challenger"] - 1000) <= 4 * (2000 * 0.25) ** 0.5, split()
    first = f.string("fraud-challenger-share", "", flags.context(payment_id=ids[0]))
    assert all(f.string("fraud-challenger-share", "", flags.context(payment_id=ids[0])) == first for _ in range(20))


def test_a_missing_file_serves_the_defaults_then_the_file_once_it_appears(tmp_path: Path) -> None:
    path = tmp_path / "absent.flagd.json"
    f = flags.Flags(FlagSettings(path=path, poll_interval_seconds=0.05, startup_wait_seconds=0.2), "test-missing")
    asyncio.run(f.start())
    before = fallbacks("webhook-delivery", "source_error")
    assert f.boolean("webhook-delivery", True) == flags.Evaluation(True, flags.DEFAULT_VARIANT)
    assert f.string("fraud-challenger-share", "", flags.context(payment_id="p")) == flags.Evaluation("", "default")
    assert fallbacks("webhook-delivery", "source_error") == before + 1
    write(path, json.loads(REPO_FLAGS.read_text()))
    eventually(lambda: f.boolean("webhook-delivery", True).variant == "on")


def test_a_broken_file_serves_the_defaults_not_an_error_and_recovers(flag_file: Path) -> None:
    f = client(flag_file)
    document = json.loads(flag_file.read_text())
    document["flags"]["webhook-delivery"]["defaultVariant"] = "off"
    write(flag_file, document)
    eventually(lambda: f.boolean("webhook-delivery", True).value is False)
    write(flag_file, '{"flags": {"webhook-delivery": ')  # half a document
    eventually(lambda: f.boolean("webhook-delivery", True) == flags.Evaluation(True, "default"))
    write(flag_file, document)
    eventually(lambda: f.boolean("webhook-delivery", True) == flags.Evaluation(False, "off"))


def test_an_unknown_flag_or_a_wrong_type_serves_the_default(flag_file: Path) -> None:
    f = client(flag_file)
    assert f.boolean("no-such-flag", False) == flags.Evaluation(False, "default")
    assert f.boolean("fraud-challenger-share", False) == flags.Evaluation(False, "default")  # a string flag


def test_the_context_carries_the_caller_and_what_the_service_adds() -> None:
    who = access.Principal("alice", frozenset({"risk_officer", "teller"}), kind=access.Kind.USER, workload="edge")
    access.bind(who)
    try:
        ctx = flags.context("c-1", customer_segment="retail")
    finally:
        access.bind(None)
    assert ctx.targeting_key == "c-1"
    assert ctx.attributes == {
        "principal": "alice", "roles": ["risk_officer", "teller"], "role": "risk_officer", "caller_kind": "user",
        "workload": "edge", "customer_segment": "retail",
    }  # fmt: skip
    assert flags.context(payment_id="p").attributes == {"payment_id": "p"}  # no call bound: only what was passed


def test_the_channel_rollout_admits_its_share_of_retail_customers_and_no_business(flag_file: Path) -> None:
    f = client(flag_file)
    customers = [str(uuid.UUID(int=i * 104729 + 7, version=4)) for i in range(2000)]

    def admitted(segment: str) -> int:
        ctx = lambda c: flags.context(c, customer_id=c, customer_segment=segment)  # noqa: E731
        return sum(f.boolean("wearable-channel-rollout", False, ctx(c)).value for c in customers)

    assert abs(admitted("retail") - 400) <= 4 * (2000 * 0.2 * 0.8) ** 0.5  # 20 %: sd 18
    assert admitted("business") == 0
