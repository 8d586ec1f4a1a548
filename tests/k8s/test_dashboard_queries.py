"""The dashboards' queries on the test mesh's real Prometheus (tools/mesh/prometheus.py, the same rules as the
cluster's): every query runs without error, and a service's RED panels show its calls, so the queries' labels
(namespace, job, grpc_service, grpc_method) are those the scrape gives and the runtime exports."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any

import grpc
import pytest
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_pb
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc

from services.runtime.config import Settings
from tests.features.support import channel
from tests.k8s.test_dashboards import expressions
from tools.k8s.dashboards import dashboards
from tools.mesh.launcher import METRICS

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk", *METRICS)

CALLS = 20
# Grafana's $__rate_interval is at least four scrape intervals (5 s locally); one minute also spans the
# rules' evaluations.
RATE = "1m"


def instant(settings: Settings, expr: str) -> dict[str, Any]:
    """Prometheus's answer to an instant query (raises on a query it refuses: HTTP 400)."""
    url = f"http://127.0.0.1:{settings.prometheus.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test mesh's loopback
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def for_service(expr: str, job: str) -> str:
    return expr.replace("$__rate_interval", RATE).replace("$job", job)


async def test_every_query_runs_and_red_shows_the_calls_made(settings: Settings) -> None:
    # Calls risk answers INVALID_ARGUMENT (an empty request), as the workload allowed to ask for fraud checks.
    async with channel(settings, "risk", "payments") as risk:
        stub = fraud_grpc.FraudDetectionServiceStub(risk)
        for _ in range(CALLS):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.EvaluateTransactionFraud(fraud_pb.EvaluateTransactionFraudRequest(), timeout=10)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    models = dashboards(settings)
    (rate,) = [e for where, e in expressions(models) if where == "fintech-red / Rate by method"]
    (errors,) = [e for where, e in expressions(models) if where == "fintech-red / Errors by method and code"]

    # Two scrapes after the calls (a rate needs two samples of the counter); the session's other tests may have
    # left risk other codes.
    def codes() -> set[str]:
        return {
            r["metric"]["grpc_code"]
            for r in instant(settings, for_service(errors, "risk"))["data"]["result"]
            if r["metric"]["grpc_method"] == "EvaluateTransactionFraud"
        }

    deadline = time.monotonic() + 60
    while "INVALID_ARGUMENT" not in codes():
        assert time.monotonic() < deadline, "risk's INVALID_ARGUMENT answers never reached the RED dashboard's query"
        time.sleep(2)
    shown = {r["metric"]["grpc_method"] for r in instant(settings, for_service(rate, "risk"))["data"]["result"]}
    assert "EvaluateTransactionFraud" in shown
    for where, expr in expressions(models):
        answer = instant(settings, for_service(expr, "risk"))
        assert answer["status"] == "success", f"{where}: {answer}"
