"""The challenger fraud model's A/B test on the real mesh: the `fraud-challenger-share` flag is rewritten in the
flag file the running risk service reads, and the split of screened payments between the fraud model versions that
scored them follows it (0 %: all production, 100 %: all challenger, 50 %: both, within a binomial bound), with the
decisions counted per variant. A broken flag file gives the safe default (production) and no caller error."""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from collections import Counter

import pytest
from fintech.risk.v1 import transaction_screening_service_pb2 as ts
from fintech.risk.v1 import transaction_screening_service_pb2_grpc as ts_grpc

from services.runtime.config import Settings
from tests.features.support import channel
from tests.risk.test_risk_service import _transaction
from tests.runtime.flag_files import challenger_share, mesh_flag_file, repo_flags, write

pytestmark = pytest.mark.mesh("postgres", "kafka", "triton", "ml", "features", "risk")
PRODUCTION, CHALLENGER = "1", "2"  # models/fraud/<version>; 2 is the challenger (tools/models VERSIONS)
RELOAD = 1.5  # seconds: the flag file is polled every 0.25 s


async def versions(settings: Settings, payments: int) -> Counter[str]:
    """Screen `payments` new payments as payments does; the fraud model versions that scored them."""
    limit = asyncio.Semaphore(8)

    async def screen(ch) -> str:  # type: ignore[no-untyped-def]
        async with limit:
            t = _transaction(str(uuid.uuid4()), str(uuid.uuid4()), 2_500)
            request = ts.ScreenTransactionRequest(transaction=t)
            response = await ts_grpc.TransactionScreeningServiceStub(ch).ScreenTransaction(request, timeout=10)
            assert not response.fraud_assessment.model_unavailable
            return response.fraud_assessment.model.model_version

    async with channel(settings, "risk", "payments") as ch:
        return Counter(await asyncio.gather(*(screen(ch) for _ in range(payments))))


def risk_metric(settings: Settings, name: str) -> dict[str, float]:
    url = f"http://127.0.0.1:{settings.service('risk').metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the mesh's own metrics port
        lines = response.read().decode().splitlines()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(name + "{")}


@pytest.fixture
def flag_file(settings: Settings):  # type: ignore[no-untyped-def]
    path = mesh_flag_file(settings.flags.path)
    yield path
    write(path, repo_flags())


async def test_the_split_between_fraud_model_versions_follows_the_flag_at_run_time(settings, flag_file):
    write(flag_file, challenger_share(0))
    await asyncio.sleep(RELOAD)
    assert await versions(settings, 40) == {PRODUCTION: 40}

    write(flag_file, challenger_share(100))
    await asyncio.sleep(RELOAD)
    assert await versions(settings, 40) == {CHALLENGER: 40}

    write(flag_file, challenger_share(50))
    await asyncio.sleep(RELOAD)
    before = decisions(settings)
    split = await versions(settings, 200)
    # Binomial: n = 200, p = 0.5, sd = 7.1; within 4 sd of 100.
    assert split.keys() == {PRODUCTION, CHALLENGER} and abs(split[CHALLENGER] - 100) <= 28, split
    # The outcomes, per variant and the version that scored: each payment counted once, under its own variant.
    counted = decisions(settings) - before
    assert counted == {("production", PRODUCTION): split[PRODUCTION], ("challenger", CHALLENGER): split[CHALLENGER]}


def decisions(settings: Settings) -> Counter[tuple[str, str]]:
    """risk_fraud_model_decisions_total summed over decisions, by (variant, model version)."""
    found = Counter[tuple[str, str]]()
    for labels, value in risk_metric(settings, "risk_fraud_model_decisions_total").items():
        variant = labels.split('variant="')[1].split('"')[0]
        version = labels.split('model_version="')[1].split('"')[0]
        found[(variant, version)] += int(value)
    return found


async def test_a_broken_flag_file_scores_with_production_and_fails_no_call(settings, flag_file):
    write(flag_file, challenger_share(100))
    await asyncio.sleep(RELOAD)
    assert await versions(settings, 10) == {CHALLENGER: 10}
    before = sum(risk_metric(settings, "feature_flag_fallbacks_total").values())
    write(flag_file, '{"flags": {"fraud-challenger-share": ')  # half a document
    await asyncio.sleep(RELOAD)
    started = time.monotonic()
    assert await versions(settings, 20) == {PRODUCTION: 20}  # the safe default
    assert time.monotonic() - started < 20
    assert sum(risk_metric(settings, "feature_flag_fallbacks_total").values()) >= before + 20
    flag_file.unlink()  # missing altogether: the same
    await asyncio.sleep(RELOAD)
    assert await versions(settings, 10) == {PRODUCTION: 10}
    write(flag_file, challenger_share(100))  # and back, with no restart
    await asyncio.sleep(RELOAD)
    assert await versions(settings, 10) == {CHALLENGER: 10}
