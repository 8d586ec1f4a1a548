"""Payments through the REST edge at fixed arrival rates: issue #18's targets, measured in one command.

    python -m tools.bench edge-rate [--rates 20,40,60 | --rate R] [--duration 60] [--runs 3]

Needs the whole mesh up (`make bench` runs `make up` first). Each run of a rate is open loop (vegeta,
tools/bench/vegeta.py): POST /v1/payments through Envoy at `rate` requests per second for `duration`
seconds, every request with its own idempotency key, tokens rotated over enough clients that none nears
the edge's per-client limit, payers from the mesh bench's `Crowd` (fresh KYC-verified customers, a few
payments each). Per run: requests sent, answered 2xx, 429 and otherwise (transport errors included);
executed, read back with RetrievePayment once the mesh has settled (EXECUTED or SETTLED); latency
percentiles from each request's scheduled start; CPU per executed payment of every supervisord program
(its children included), from the run's start until the mesh is idle again (the outbox relay and the
consumers finish the run's events after the last answer), and vegeta's own CPU apart.
Each round of runs starts with the trivial-RPC ceiling (ListFeatureDefinitions, closed loop with ghz over
mTLS): a payment's cost is given as a multiple of it, in calls/s and in CPU.
Results: var/bench/edge-rate.json (every run) and var/bench/edge-rate.md (medians, and the headline: the
highest rate with p95 < 500 ms and no error, every payment executed, in every run).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import grpc
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as initiation_grpc
from fintech.payments.v1 import payment_pb2

from services.runtime.config import Settings, get_settings
from services.runtime.tls import channel_credentials
from tools.bench import results as results_file
from tools.bench.load import cpu_by_component, cpu_per_request, edge_tokens, ghz
from tools.bench.mesh import DEFINITIONS, JSON, Crowd
from tools.bench.vegeta import Attack, Hit, Target, attack, percentile
from tools.mesh.launcher import COLLECTORS
from tools.mesh.supervisor import Supervisor

P95_LIMIT_MS = 500.0  # the (a)
CPU_TARGET_MS = 25.0  # the (b): per payment, the whole mesh
P99_LIMIT_MS, P99_RATE = 100.0, 20  # the (c): p99 at 20 payments/s
PER_CLIENT_PER_MINUTE = 25  # requests a token sends a minute: a quarter of the edge's default limit (100)
EXECUTED = {"EXECUTED", "SETTLED"}  # how an executed payment ends (_ending)
SETTLING = {  # on their way: read again
    payment_pb2.PAYMENT_STATE_INITIATED,
    payment_pb2.PAYMENT_STATE_SCREENING,
    payment_pb2.PAYMENT_STATE_ACCEPTED,
}
IDLE_MARGIN = 1.5  # the mesh has settled when its CPU rate is back under this times its rate before the run
SETTLE_LIMIT_S = 30.0
# A first, unmeasured run at the lowest rate: connection pools and caches fill, and Kafka's JVM compiles its hot
# paths (measured: Kafka's CPU per payment at 20/s went from 17-20 ms in the first minute to 8-9 ms after 3).
WARMUP_S = 90


@dataclass
class RateRun:
    """One open-loop run at one rate."""

    rate: int
    seconds: float
    sent: int
    ok: int  # 2xx
    throttled: int  # 429
    errors: int  # any other answer, or none
    executed: int  # read back EXECUTED or SETTLED
    states: dict[str, int]  # read back, by state (a 2xx whose payment is not executed shows here)
    p50_ms: float
    p95_ms: float
    p99_ms: float
    start_lag_p99_ms: float  # the generator's lateness against its schedule
    cpu_ms_per_payment: dict[str, float]  # by component, per executed payment (per request when none executed)
    # The collectors beside the mesh (Prometheus, exporters, traces, logs): apart, as issue #18's target counts
    # the mesh's own components only.
    collector_cpu_ms_per_payment: dict[str, float]
    generator_cpu_ms_per_request: float
    settle_s: float  # after the last request, until the mesh was idle again (inside the CPU window)
    mesh_cpu_s: float  # every component but the collectors, the whole window
    statuses: dict[str, int] = field(default_factory=dict)  # answers by HTTP status and error reason (_answer)

    @property
    def cpu_ms_total(self) -> float:
        return sum(self.cpu_ms_per_payment.values())

    @property
    def collector_cpu_ms_total(self) -> float:
        return sum(self.collector_cpu_ms_per_payment.values())

    @property
    def cpu_ms_per_request(self) -> float:
        """The whole mesh's CPU over every request sent, 429s too (apart from per payment under overload)."""
        return 1000 * self.mesh_cpu_s / self.sent if self.sent else 0.0

    @property
    def clean(self) -> bool:
        """No error, no 429, every payment executed."""
        return self.sent > 0 and self.ok == self.sent == self.executed

    def record(self) -> JSON:
        return {**asdict(self), "cpu_ms_total": self.cpu_ms_total, "cpu_ms_per_request": self.cpu_ms_per_request,
                "collector_cpu_ms_total": self.collector_cpu_ms_total, "clean": self.clean}  # fmt: skip


@dataclass
class Ceiling:
    """The trivial RPC, closed loop: what the runtime and mTLS cost before any domain work."""

    calls_per_s: float
    p99_ms: float
    cpu_ms_per_call: float  # the whole mesh
    errors: int

    def record(self) -> JSON:
        return asdict(self)


# -- one run ------------------------------------------------------------------------------------------


def targets(settings: Settings, templates: list[JSON], rate: int, seconds: int) -> list[Target]:
    """rate * seconds payment requests (one second more in reserve): templates round robin, a fresh key
    each, tokens of enough clients that each sends PER_CLIENT_PER_MINUTE a minute at most."""
    count = rate * (seconds + 1)
    tokens = edge_tokens(settings, max(2, math.ceil(rate * 60 / PER_CLIENT_PER_MINUTE)))
    url = f"http://127.0.0.1:{settings.envoy.rest_port}/v1/payments"
    return [
        Target("POST", url, {"Authorization": f"Bearer {tokens[n % len(tokens)]}", "Content-Type": "application/json"},
               json.dumps(templates[n % len(templates)] | {"idempotency_key": f"bench-{uuid.uuid4()}"}).encode())
        for n in range(count)
    ]  # fmt: skip


def _cpu_rate(supervisor: Supervisor, seconds: float = 1.0) -> float:
    """The mesh's CPU seconds per second, over `seconds`."""
    before = sum(cpu_by_component(supervisor).values())
    time.sleep(seconds)
    return (sum(cpu_by_component(supervisor).values()) - before) / seconds


def _settle(supervisor: Supervisor, idle: float) -> float:
    """Wait until the mesh is about as idle as before the run (SETTLE_LIMIT_S at most); the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_LIMIT_S and _cpu_rate(supervisor) > max(IDLE_MARGIN * idle, 0.05):
        pass
    return time.monotonic() - started


def payment_ids(run: Attack) -> list[str]:
    """The payments that 2xx answers name."""
    ids = []
    for hit in run.hits:
        if 200 <= hit.status < 300:
            payment = json.loads(hit.body).get("payment", {})
            ids.append(payment.get("paymentId") or payment.get("payment_id"))
    return ids


def read_back(settings: Settings, ids: list[str], wait: float = 30.0) -> Counter[str]:
    """How the payments ended (RetrievePayment over mTLS), asked again while some are still on their way:
    counts by state, a held payment by its hold reason too (screening that did not answer in time shows)."""
    payments: dict[str, payment_pb2.Payment] = {}
    with (
        grpc.secure_channel(settings.service("payments").address, channel_credentials("cli", settings)) as channel,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        stub = initiation_grpc.PaymentInitiationServiceStub(channel)

        def retrieve(payment_id: str) -> payment_pb2.Payment:
            request = initiation.RetrievePaymentRequest(payment_id=payment_id)
            return stub.RetrievePayment(request, timeout=20).payment

        pending, deadline = list(ids), time.monotonic() + wait
        while pending:
            payments.update(zip(pending, pool.map(retrieve, pending), strict=True))
            pending = [payment_id for payment_id in pending if payments[payment_id].state in SETTLING]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(2)
    return Counter(_ending(payment) for payment in payments.values())


def _ending(payment: payment_pb2.Payment) -> str:
    state = payment_pb2.PaymentState.Name(payment.state).removeprefix("PAYMENT_STATE_")
    if payment.state == payment_pb2.PAYMENT_STATE_HELD_FOR_REVIEW:
        return f"{state} ({payment_pb2.HoldReason.Name(payment.hold_reason).removeprefix('HOLD_REASON_')})"
    return state


def _answer(hit: Hit) -> str:
    """The HTTP status with the error's reason: a 429 is the edge's rate limit (RATE_LIMITED) or a service's
    admission control (OVERLOADED); no answer is vegeta's error (a timeout, a refused connection)."""
    if not hit.status:
        return f"no answer: {hit.error}"
    if 200 <= hit.status < 300:
        return str(hit.status)
    try:
        body = json.loads(hit.body)
    except ValueError:
        return str(hit.status)
    details = body.get("details", []) if isinstance(body, dict) else []
    reasons = [d.get("reason") for d in details if isinstance(d, dict) and str(d.get("@type")).endswith("ErrorInfo")]
    return f"{hit.status} {reasons[0]}" if reasons and reasons[0] else str(hit.status)


def run_rate(settings: Settings, supervisor: Supervisor, crowd: Crowd, rate: int, seconds: int) -> RateRun:
    """One open-loop run at `rate` for `seconds`, read back and costed."""
    requests = targets(settings, crowd.take(rate * seconds), rate, seconds)
    idle = _cpu_rate(supervisor, 2.0)
    before = cpu_by_component(supervisor)
    run = attack(requests, rate, seconds)
    settle_s = _settle(supervisor, idle)
    after = cpu_by_component(supervisor)
    states = read_back(settings, payment_ids(run))
    executed = sum(count for ending, count in states.items() if ending in EXECUTED)
    statuses = Counter(_answer(hit) for hit in run.hits)
    latencies = run.latencies_ms()
    ok = sum(1 for hit in run.hits if 200 <= hit.status < 300)
    cpu = cpu_per_request(before, after, executed or len(run.hits))
    mesh = [name for name in after if name not in COLLECTORS]
    throttled = sum(1 for hit in run.hits if hit.status == 429)
    return RateRun(
        rate=rate, seconds=run.seconds, sent=len(run.hits), ok=ok, throttled=throttled,
        errors=len(run.hits) - ok - throttled, executed=executed, states=dict(states),
        p50_ms=percentile(latencies, 0.50), p95_ms=percentile(latencies, 0.95), p99_ms=percentile(latencies, 0.99),
        start_lag_p99_ms=percentile(run.start_lag_ms(), 0.99),
        cpu_ms_per_payment={name: ms for name, ms in cpu.items() if name not in COLLECTORS},
        collector_cpu_ms_per_payment={name: ms for name, ms in cpu.items() if name in COLLECTORS},
        generator_cpu_ms_per_request=1000 * run.generator_cpu_s / max(1, len(run.hits)),
        settle_s=settle_s, mesh_cpu_s=sum(after[name] - before.get(name, after[name]) for name in mesh),
        statuses=dict(statuses),
    )  # fmt: skip


def ceiling(settings: Settings, supervisor: Supervisor, seconds: int) -> Ceiling:
    """ListFeatureDefinitions straight at features over mTLS, 50 callers back to back (mesh CPU only)."""
    before = cpu_by_component(supervisor)
    measured = ghz(settings, "features", DEFINITIONS, {"page_size": 1}, requests=1000 * seconds, concurrency=50)
    cpu = cpu_per_request(before, cpu_by_component(supervisor), measured.requests)
    mesh = sum(ms for name, ms in cpu.items() if name not in COLLECTORS)  # as the payments' CPU is counted
    return Ceiling(measured.requests_per_s, measured.p99_ms, mesh, measured.errors)


# -- the sweep ----------------------------------------------------------------------------------------


def summary(rate: int, runs: list[RateRun], ceilings: list[Ceiling]) -> JSON:
    """Medians over a rate's runs, the multiples of the trivial RPC, and whether every run was clean."""
    median: JSON = {
        key: statistics.median(getattr(run, key) for run in runs)
        for key in ("sent", "ok", "throttled", "errors", "executed", "p50_ms", "p95_ms", "p99_ms", "start_lag_p99_ms",
                    "cpu_ms_total", "cpu_ms_per_request", "collector_cpu_ms_total", "generator_cpu_ms_per_request",
                    "settle_s")
    }  # fmt: skip
    median["achieved_per_s"] = statistics.median(run.sent / run.seconds if run.seconds else 0.0 for run in runs)
    median["executed_per_s"] = statistics.median(run.executed / run.seconds if run.seconds else 0.0 for run in runs)
    components = sorted({name for run in runs for name in run.cpu_ms_per_payment})
    median["cpu_ms_per_payment"] = {
        name: statistics.median(run.cpu_ms_per_payment.get(name, 0.0) for run in runs) for name in components
    }
    collectors = sorted({name for run in runs for name in run.collector_cpu_ms_per_payment})
    median["collector_cpu_ms_per_payment"] = {
        name: statistics.median(run.collector_cpu_ms_per_payment.get(name, 0.0) for run in runs) for name in collectors
    }
    trivial_cpu = statistics.median(c.cpu_ms_per_call for c in ceilings)
    median["cpu_vs_trivial_call"] = median["cpu_ms_total"] / trivial_cpu if trivial_cpu else 0.0
    median["clean"] = all(run.clean for run in runs)
    median["meets_p95"] = median["p95_ms"] < P95_LIMIT_MS
    return {"rate": rate, "median": median, "runs": [run.record() for run in runs]}


def headline(rates: list[JSON], ceilings: list[Ceiling]) -> JSON:
    """The highest rate that held (p95 < 500 ms, every run clean), the trivial RPC, the issue's targets."""
    held = [r for r in rates if r["median"]["clean"] and r["median"]["meets_p95"]]
    best = max(held, key=lambda r: r["rate"]) if held else None
    trivial = statistics.median(c.calls_per_s for c in ceilings)
    executed = [r["median"]["executed_per_s"] for r in rates]
    at_target = next((r for r in rates if r["rate"] == P99_RATE), None)
    return {
        "max_rate": best["rate"] if best else None,
        "cpu_ms_per_payment_at_max_rate": best["median"]["cpu_ms_total"] if best else None,
        "trivial_calls_per_s": trivial,
        "trivial_cpu_ms_per_call": statistics.median(c.cpu_ms_per_call for c in ceilings),
        # against the best rate that held; when none held, against the most payments executed per second
        "trivial_calls_per_payment_rate": trivial / (best["rate"] if best else max(executed, default=0) or math.inf),
        "p99_ms_at_20": at_target["median"]["p99_ms"] if at_target else None,
        "targets": {
            "(a) >= 60/s, p95 < 500 ms, clean": bool(best and best["rate"] >= 60),
            "(b) <= 25 ms CPU per payment": bool(best and best["median"]["cpu_ms_total"] <= CPU_TARGET_MS),
            "(c) p99 < 100 ms at 20/s": bool(
                at_target and at_target["median"]["clean"] and at_target["median"]["p99_ms"] < P99_LIMIT_MS
            ),
        },  # fmt: skip
    }


def _by_component(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {ms:.1f}" for name, ms in sorted(cpu.items(), key=lambda x: -x[1]) if ms >= 0.05)


def table(rates: list[JSON], top: JSON) -> str:
    columns = ["rate/s", "sent/s", "2xx", "429", "other errors", "executed", "p50 ms", "p95 ms", "p99 ms",
               "CPU ms/payment (/request)", "by component", "× trivial call (CPU)", "collectors CPU ms/payment",
               "vegeta CPU ms/req", "held"]  # fmt: skip
    aligns = ["---:"] * 10 + ["---", "---:", "---", "---:", "---"]
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join(aligns) + " |"]
    for result in rates:
        m = result["median"]
        cpu = _by_component(m["cpu_ms_per_payment"])
        collectors = m.get("collector_cpu_ms_per_payment", {})
        collected = f"{m['collector_cpu_ms_total']:.1f} ({_by_component(collectors)})" if collectors else "-"
        cells = [str(result["rate"]), f"{m['achieved_per_s']:.1f}", f"{m['ok']:.0f}", f"{m['throttled']:.0f}",
                 f"{m['errors']:.0f}", f"{m['executed']:.0f}", *(f"{m[k]:.0f}" for k in ("p50_ms", "p95_ms", "p99_ms")),
                 f"{m['cpu_ms_total']:.1f} ({m['cpu_ms_per_request']:.1f})", cpu, f"{m['cpu_vs_trivial_call']:.0f}",
                 collected, f"{m['generator_cpu_ms_per_request']:.2f}",
                 "yes" if m["clean"] and m["meets_p95"] else "no"]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    best = top["max_rate"]
    lines += [
        "",
        f"Max rate with p95 < {P95_LIMIT_MS:.0f} ms and no errors (every payment executed, every run): "
        + (f"**{best}/s**, {top['cpu_ms_per_payment_at_max_rate']:.1f} ms CPU per payment" if best else "**none**"),
        f"Trivial RPC ceiling in the same run (ListFeatureDefinitions, mTLS, closed loop, 50 callers): "
        f"{top['trivial_calls_per_s']:.0f} calls/s, {top['trivial_cpu_ms_per_call']:.2f} ms CPU per call"
        + f"; ÷ {'max payment rate' if best else 'most payments executed per second'}"
        f" = {top['trivial_calls_per_payment_rate']:.0f}",
        "Issue #18: " + "; ".join(f"{name}: {'met' if met else 'not met'}" for name, met in top["targets"].items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench edge-rate", description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="20,40,60", help="payments/s, comma separated")
    parser.add_argument("--rate", type=int, help="one rate only (instead of --rates)")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ceiling-seconds", type=int, default=10, help="length of the trivial-RPC run")
    args = parser.parse_args(argv)
    rates = [args.rate] if args.rate else [int(rate) for rate in args.rates.split(",")]
    started = time.monotonic()
    settings = get_settings()
    supervisor = Supervisor(settings)
    warmup = min(rates) * WARMUP_S
    crowd = Crowd(settings, args.runs * sum(rates) * args.duration + warmup)
    print(f"crowd: {len(crowd.templates)} accounts of fresh verified customers in {time.monotonic() - started:.0f} s",
          flush=True)  # fmt: skip
    run_rate(settings, supervisor, crowd, min(rates), WARMUP_S)  # not counted: the pools and caches fill
    ceilings: list[Ceiling] = []
    runs: dict[int, list[RateRun]] = {rate: [] for rate in rates}
    for round_ in range(args.runs):  # interleaved: each round measures the ceiling and every rate
        ceilings.append(ceiling(settings, supervisor, args.ceiling_seconds))
        print(f"round {round_ + 1}: trivial RPC {ceilings[-1].calls_per_s:.0f} calls/s", flush=True)
        for rate in rates:
            run = run_rate(settings, supervisor, crowd, rate, args.duration)
            runs[rate].append(run)
            print(f"  {rate}/s: sent {run.sent}, 2xx {run.ok}, 429 {run.throttled}, errors {run.errors}, "
                  f"executed {run.executed}, p50 {run.p50_ms:.0f} p95 {run.p95_ms:.0f} p99 {run.p99_ms:.0f} ms, "
                  f"CPU {run.cpu_ms_total:.1f} ms/payment, "
                  f"vegeta {run.generator_cpu_ms_per_request:.2f} ms/req", flush=True)  # fmt: skip
    results = [summary(rate, runs[rate], ceilings) for rate in rates]
    top = headline(results, ceilings)
    markdown = table(results, top)
    record: dict[str, Any] = {"rates": results, "ceiling": [c.record() for c in ceilings], "headline": top}
    written = results_file.write("edge-rate", "payments through the REST edge, open loop (vegeta), by arrival rate",
                                 args.runs, record, markdown)  # fmt: skip
    print(markdown)
    print(f"medians of {args.runs} runs of {args.duration} s; written to {written} and its .md "
          f"({(time.monotonic() - started) / 60:.1f} min in all)")  # fmt: skip
