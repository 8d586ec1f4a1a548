"""Argo Rollouts' AnalysisTemplates (k8s/base/generated/analysis-templates.yaml) asked of the test mesh's Prometheus,
as Argo Rollouts asks them: each template's arguments substituted into its query, the query run, its
successCondition evaluated on the answer. Under a steady payment load through the edge every template passes; a
fault that its signal must catch makes it fail, and once the fault is over every template passes again:

- fintech-error-rate (ml): Triton stopped, ml answers UNAVAILABLE;
- fintech-latency-p95 (payments): risk frozen (SIGSTOP), payments' screening calls wait for their deadline;
- fintech-payment-failures: payments from accounts without funds, refused;
- fintech-fraud-declines: a burst of payments from one customer, declined by the velocity rule;
- fintech-edge-errors: payments stopped, the edge answers 503.

The local mesh runs one version, without the cluster's `rollouts_pod_template_hash` label: the canary's (and a
preview's) hash is "", which selects the series without the label (the local ones), and the stable's a value no
series has, which the templates count as a stable of 0 (their "no stable yet" branch): the canary is held to the
threshold itself. The window is shortened from the cluster's 2m to 20s (an argument with a default) so the test
takes minutes; the local Prometheus scrapes every 5 s.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p

from services.runtime.config import Settings
from tests.payments.api import PaymentsApi, verified_customer
from tools.bench.load import edge_tokens
from tools.edge.rest import RestClient, RestError
from tools.mesh import Mesh
from tools.mesh.launcher import METRICS
from tools.observability.analysis import analysis_templates

# The edge and what it calls (its dependencies: the services with an API, Triton, Kafka...), and the monitoring.
COMPONENTS = ("envoy", *METRICS)
pytestmark = pytest.mark.mesh(*COMPONENTS)

INITIATE = isvc.DESCRIPTOR.services_by_name["PaymentInitiationService"].methods_by_name["InitiatePayment"]
# Under the velocity rule (8 payments a minute per customer): 2 payments a second over this many customers.
CUSTOMERS = 32
WORKERS, PACE = 2, 1.0  # threads, seconds between one thread's payments
OVERDRAFT = 10**9
LOCAL = {"canary-hash": "", "hash": "", "stable-hash": "not-in-the-local-mesh", "window": "20s"}
SERVICE = {"fintech-error-rate": "ml", "fintech-latency-p95": "payments"}
FAIL_PATIENCE = 120.0  # a fault's signal over the 20 s window, a few scrapes, the services' circuit breakers
RECOVER_PATIENCE = 180.0
# The first passing measurement: a fresh mesh's first payments are slow (connections, caches), and p95 over 20 s
# stays above 250 ms for a while on a busy 2-core machine (160 s once, at load 10).
WARM_UP_PATIENCE = 360.0


class Load:
    """Payments through the edge's REST API at a steady pace; `mode` picks the debtors (a fault may change it)."""

    def __init__(self, settings: Settings, funded: list[str], unfunded: list[str]) -> None:
        self.edge = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
        # Distinct clients, each at half the edge's limit per client at most (tests/edge lowers it for the session).
        per_minute = WORKERS * 60 / PACE
        self.tokens = edge_tokens(settings, math.ceil(per_minute / (settings.edge.rate_limit_requests / 2)))
        self.funded, self.unfunded = funded, unfunded
        self.mode = "normal"
        self.answers: dict[str, int] = {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(WORKERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, worker: int) -> None:
        n = worker
        while not self._stop.wait(PACE):
            n += WORKERS
            debtors = {"normal": self.funded, "unfunded": self.unfunded, "burst": self.funded[:1]}[self.mode]
            request = isvc.InitiatePaymentRequest(
                idempotency_key=str(uuid.uuid4()),
                debtor_account_id=debtors[n % len(debtors)],
                creditor_account_id=self.funded[(n + 1) % len(self.funded)],
                amount=Money(amount_minor=1_000 + n % 500, currency_code="EUR"),
                channel=p.PAYMENT_CHANNEL_WEB,
            )
            try:
                self.edge.call(INITIATE, request, token=self.tokens[n % len(self.tokens)])
                answer = 200
            except RestError as error:
                answer = error.status
            except OSError:
                answer = 0
            self.answers[self.mode] = self.answers.get(self.mode, 0) + (answer != 200)


def _query(settings: Settings, promql: str) -> list[float]:
    url = f"http://127.0.0.1:{settings.prometheus.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test mesh's loopback
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return [float(sample["value"][1]) for sample in body["data"]["result"]]


CONDITION = re.compile(r"result\[0\] (<=|>=|<|>) ([-+.\deE]+)")
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


def measure(settings: Settings, template: dict[str, Any]) -> tuple[bool | None, float | None]:
    """(passed, value) of one measurement as Argo Rollouts takes it: None when the answer is empty (an Error)."""
    (metric,) = template["spec"]["metrics"]
    args = {arg["name"]: arg.get("value") for arg in template["spec"]["args"]}
    args |= {name: value for name, value in LOCAL.items() if name in args}
    if "service" in args:
        args["service"] = SERVICE[template["metadata"]["name"]]
    query = metric["provider"]["prometheus"]["query"]
    for name, value in args.items():
        query = query.replace("{{args." + name + "}}", value)
    assert "{{" not in query, query
    match = CONDITION.fullmatch(metric["successCondition"])
    assert match, f"a condition the test cannot evaluate: {metric['successCondition']}"
    result = _query(settings, query)
    if not result:
        return None, None
    return OPERATORS[match[1]](result[0], float(match[2])), result[0]  # NaN compares False: a failure


@pytest.fixture(scope="module")
def templates(settings: Settings) -> dict[str, dict[str, Any]]:
    return {t["metadata"]["name"]: t for t in analysis_templates(settings.mesh.namespace)}


@pytest.fixture(scope="module")
def load(mesh: Mesh, settings: Settings) -> Iterator[Load]:
    mesh.up(*COMPONENTS)
    teller = PaymentsApi(settings)
    customers = [verified_customer(settings) for _ in range(CUSTOMERS)]
    funded = [teller.open_account(c, overdraft=OVERDRAFT).account_id for c in customers]
    unfunded = [teller.open_account(c).account_id for c in customers]
    with Load(settings, funded, unfunded) as running:
        yield running


def _all(settings: Settings, templates: dict[str, dict[str, Any]]) -> dict[str, tuple[bool | None, float | None]]:
    return {name: measure(settings, template) for name, template in templates.items()}


def _until(check: Callable[[], Any], patience: float, what: str, last: Callable[[], Any]) -> None:
    deadline = time.monotonic() + patience
    while not check():
        assert time.monotonic() < deadline, f"{what} not within {patience:.0f} s: {last()}"
        time.sleep(2)


def _all_pass(settings: Settings, templates: dict[str, dict[str, Any]], patience: float) -> None:
    _until(
        lambda: all(passed for passed, _ in _all(settings, templates).values()),
        patience,
        "every analysis passing",
        lambda: _all(settings, templates),
    )


def test_every_analysis_passes_under_a_normal_load(
    load: Load, settings: Settings, templates: dict[str, dict[str, Any]]
) -> None:
    assert set(templates) == {*SERVICE, "fintech-payment-failures", "fintech-fraud-declines", "fintech-edge-errors"}
    _all_pass(settings, templates, WARM_UP_PATIENCE)


def _shown(value: float | None) -> str:
    return "no data" if value is None else f"{value:.3g}"


def _freeze_risk(mesh: Mesh) -> Callable[[], None]:
    pid = mesh.supervisor.processes()["risk"]["pid"]
    os.kill(pid, signal.SIGSTOP)
    return lambda: os.kill(pid, signal.SIGCONT)


def _mode(load: Load, mode: str) -> Callable[[], None]:
    load.mode = mode
    return lambda: setattr(load, "mode", "normal")


def _stopped(mesh: Mesh, component: str) -> Callable[[], None]:
    mesh.stop(component)
    return lambda: mesh.start(component)


FAULTS: dict[str, Callable[[Mesh, Load], Callable[[], None]]] = {
    "fintech-error-rate": lambda mesh, _: _stopped(mesh, "triton"),
    "fintech-latency-p95": lambda mesh, _: _freeze_risk(mesh),
    "fintech-payment-failures": lambda _, load: _mode(load, "unfunded"),
    "fintech-fraud-declines": lambda _, load: _mode(load, "burst"),
    "fintech-edge-errors": lambda mesh, _: _stopped(mesh, "payments"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_an_analysis_fails_under_the_fault_its_signal_catches(
    name: str, mesh: Mesh, load: Load, settings: Settings, templates: dict[str, dict[str, Any]]
) -> None:
    _all_pass(settings, templates, RECOVER_PATIENCE)  # the previous fault is over
    healthy = measure(settings, templates[name])[1]
    began = time.monotonic()
    undo = FAULTS[name](mesh, load)
    try:
        _until(
            lambda: measure(settings, templates[name])[0] is False,
            FAIL_PATIENCE,
            f"{name} failing",
            lambda: measure(settings, templates[name]),
        )
        failed, faulty = time.monotonic() - began, measure(settings, templates[name])[1]
    finally:
        undo()
    over = time.monotonic()
    _all_pass(settings, templates, RECOVER_PATIENCE)
    # Reported, not judged (-s shows it): README's numbers.
    print(
        f"\n{name}: {_shown(healthy)} healthy, {_shown(faulty)} under the fault, failed after {failed:.0f} s, "
        f"all passing {time.monotonic() - over:.0f} s after the fault"
    )
