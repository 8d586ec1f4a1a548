"""The local monitoring, on the real mesh: Prometheus scrapes every component, and real faults fire the
rules' alerts in Alertmanager: Triton stopped (TritonUnavailable, and, while fraud evaluations go on,
FraudModelFallbackInUse; both resolve once it is back), one principal refused again and again
(AccessDeniedBurst) and bad tokens at the edge (EdgeTokenFailures), all in one wait. The rules keep their real
`for:` durations (TritonUnavailable: 1 minute, FraudModelFallbackInUse: 3)."""

from __future__ import annotations

import base64
import json
import math
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_svc
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc

from services.runtime.config import Settings
from services.runtime.tls import channel_credentials
from tests.risk.test_risk_service import _transaction
from tools.edge.mint import mint
from tools.edge.rest import RestClient, RestError
from tools.mesh import Mesh
from tools.mesh.launcher import COLLECTORS, METRICS
from tools.observability.rules import ACCESS_DENIED_BURST, EDGE_TOKEN_FAILURES

pytestmark = pytest.mark.mesh(*METRICS)

LIST_FRAUD = fraud_svc.DESCRIPTOR.services_by_name["FraudDetectionService"].methods_by_name["ListFraudAssessments"]
# FraudModelFallbackInUse's `for: 3m` (TritonUnavailable's is 1m), a few scrapes and evaluations of 5 s,
# Alertmanager's group_wait of 10 s; the prober's refusals, spaced under the edge's limit, take about as long.
ALERT_PATIENCE = 300.0
# The fallback's 2-minute window, emptied of rules-only decisions (Triton takes a few seconds to be ready again).
RESOLVE_PATIENCE = 240.0


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the test mesh's loopback
        return json.loads(response.read())


def _eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(2)
    pytest.fail(f"{what} not within {timeout:.0f} s; last: {last!r}")


def _targets(settings: Settings) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{settings.prometheus.port}/api/v1/targets?state=active"
    return list(_get(url)["data"]["activeTargets"])


def _firing(settings: Settings) -> dict[str, list[dict[str, str]]]:
    """alertname -> the label sets of its active alerts in Alertmanager."""
    url = f"http://127.0.0.1:{settings.alertmanager.port}/api/v2/alerts?active=true&silenced=false&inhibited=false"
    alerts: dict[str, list[dict[str, str]]] = {}
    for alert in _get(url):
        if alert["status"]["state"] == "active":
            alerts.setdefault(alert["labels"]["alertname"], []).append(alert["labels"])
    return alerts


@pytest.fixture(scope="module")
def whole_mesh(mesh: Mesh) -> Mesh:
    mesh.up(*mesh.available(), *COLLECTORS)
    return mesh


def test_prometheus_scrapes_every_component_up(whole_mesh: Mesh, settings: Settings) -> None:
    expected = {target.job for component in whole_mesh.components.values() for target in component.metrics_targets()}
    expected &= {
        target.job
        for name in [*whole_mesh.available(), *COLLECTORS]
        for target in whole_mesh.components[name].metrics_targets()
    }

    def all_up() -> bool:
        targets = _targets(settings)
        return {t["labels"]["job"] for t in targets if t["health"] == "up"} >= expected

    _eventually(all_up, 30, "every target up")
    for target in _targets(settings):
        assert target["labels"]["namespace"] == settings.mesh.namespace


# Series the rules select that exist without traffic (risk's decisions and the refusals need calls first).
STANDING = (
    "db_pool_connections_max",
    "db_pool_connections_checked_out",
    "outbox_oldest_pending_age_seconds",
    "kafka_consumer_lag_records",
    "payments_review_queue_oldest_age_seconds",
    "payments_settlement_oldest_unsettled_age_seconds",
    "pg_up",
    "redis_up",
    "envoy_http_jwt_authn_denied",
)


def test_the_series_the_rules_select_are_scraped(whole_mesh: Mesh, settings: Settings) -> None:
    def missing() -> list[str]:
        url = f"http://127.0.0.1:{settings.prometheus.port}/api/v1/query?query="
        absent = [
            name for name in STANDING if not _get(url + f"count({name}{{namespace=%22fintech%22}})")["data"]["result"]
        ]
        return absent

    _eventually(lambda: not missing(), 60, f"series of {', '.join(STANDING)}")


def test_faults_fire_their_alerts_and_triton_back_resolves_its_two(whole_mesh: Mesh, settings: Settings) -> None:
    assert "TritonUnavailable" not in _firing(settings)
    edge = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
    # A customer asking for every fraud assessment, again and again: refused by role each time.
    prober = mint(settings, "customer", customer_id=str(uuid.uuid4()))
    # Payments' fraud checks go on while Triton is away: risk decides them on its rules alone.
    risk = grpc.secure_channel(settings.service("risk").address, channel_credentials("payments", settings))
    evaluate = fraud_grpc.FraudDetectionServiceStub(risk).EvaluateTransactionFraud

    def fraud_check(*, model: bool = False) -> None:
        t = _transaction(str(uuid.uuid4()), str(uuid.uuid4()), 1_500, creditor_account_id=str(uuid.uuid4()))
        answer = evaluate(fraud_svc.EvaluateTransactionFraudRequest(transaction=t), timeout=10)
        if not model:
            assert answer.fraud_assessment.model_unavailable  # the rules decided alone

    # The edge lets one subject make rate_limit_requests a minute (tests/edge lowers it for the session): the
    # prober's refusals are spread over the wait, under that limit, until they are a burst.
    spacing = 1.2 * settings.edge.rate_limit_window_seconds / settings.edge.rate_limit_requests
    refusals, last_refusal = 0, -math.inf

    def refused_by_role() -> None:
        with pytest.raises(RestError) as refused:
            edge.call(LIST_FRAUD, fraud_svc.ListFraudAssessmentsRequest(), token=prober)
        assert refused.value.status == 403

    # The edge's counter is scraped before the burst: increase() cannot see a burst in a series' first sample.
    query = f"http://127.0.0.1:{settings.prometheus.port}/api/v1/query?query=envoy_http_jwt_authn_denied"
    _eventually(lambda: _get(query)["data"]["result"], 60, "the edge's jwt_authn counter scraped")
    whole_mesh.stop("triton")
    try:
        for _ in range(EDGE_TOKEN_FAILURES + 10):  # refused before any rate limit: no subject yet
            with pytest.raises(RestError) as refused:
                edge.call(LIST_FRAUD, fraud_svc.ListFraudAssessmentsRequest(), token="not.a.token")
            assert refused.value.status == 401
        wanted = {"TritonUnavailable", "FraudModelFallbackInUse", "AccessDeniedBurst", "EdgeTokenFailures"}
        deadline, firing = time.monotonic() + ALERT_PATIENCE, _firing(settings)
        while not wanted <= set(firing):
            assert time.monotonic() < deadline, f"after {ALERT_PATIENCE:.0f} s only {sorted(firing)} fire"
            if refusals < ACCESS_DENIED_BURST + 3 and time.monotonic() - last_refusal >= spacing:
                refused_by_role()
                refusals, last_refusal = refusals + 1, time.monotonic()
            fraud_check()
            time.sleep(1)
            firing = _firing(settings)
        subject = _subject(prober)
        assert [labels["principal"] for labels in firing["AccessDeniedBurst"] if subject in labels["principal"]]
        (triton,) = firing["TritonUnavailable"]
        assert triton["job"] == "triton" and triton["severity"] == "critical"
        whole_mesh.start("triton")
        # The model answers again: the fallback alert resolves once a 2-minute window holds no rules-only decision.
        deadline = time.monotonic() + RESOLVE_PATIENCE
        while {"TritonUnavailable", "FraudModelFallbackInUse"} & set(_firing(settings)):
            assert time.monotonic() < deadline, (
                f"still firing after {RESOLVE_PATIENCE:.0f} s: {sorted(_firing(settings))}"
            )
            fraud_check(model=True)
            time.sleep(2)
    finally:
        risk.close()
        whole_mesh.start("triton")


def _subject(token: str) -> str:
    """The token's subject: the principal the services count refusals of."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])
