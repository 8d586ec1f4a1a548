"""The stream processor's CPU per payment, and its share of what a payment costs the mesh.

    python -m tools.bench analytics [--runs 3] [--payments 300] [--callers 8]

Needs the whole mesh up with the analytics service (`make bench` runs `make up` first). Each run sends
`--payments` InitiatePayment calls (ghz over mTLS, closed loop, the mesh bench's crowd of verified customers), waits
until the processor has caught up (its consumer group's committed offsets reach the end of every topic it reads,
the repartition topics included), and reads the CPU time every component's processes used meanwhile from /proc.
analytics CPU / payments is the processor's cost per payment; the rest of the mesh's (collectors left out) is the
payment's own. Medians of the runs. Results: var/bench/analytics.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from services.runtime.config import Settings, get_settings
from tools import aggregates
from tools.bench import results as results_file
from tools.bench.load import cpu_by_component, ghz
from tools.bench.mesh import INITIATE, Crowd, staff_token
from tools.mesh.launcher import COLLECTORS
from tools.mesh.supervisor import Supervisor

PROCESSOR = "analytics"
CATCH_UP_LIMIT_S = 120.0


def _caught_up(settings: Settings) -> float:
    """Seconds until the processor has committed everything the topics hold."""
    started = time.monotonic()
    while time.monotonic() - started < CATCH_UP_LIMIT_S:
        if aggregates.lag(asyncio.run(aggregates.processor_progress(settings))) == 0:
            break
        time.sleep(0.2)
    return time.monotonic() - started


def run_once(settings: Settings, supervisor: Supervisor, crowd: Crowd, payments: int, callers: int,
             token: str) -> dict[str, float]:  # fmt: skip
    _caught_up(settings)
    before = cpu_by_component(supervisor)
    measured = ghz(settings, "payments", INITIATE, crowd.take(payments), requests=payments, concurrency=callers,
                   token=token)  # fmt: skip
    catch_up_s = _caught_up(settings)
    after = cpu_by_component(supervisor)
    used = {name: after[name] - before.get(name, after[name]) for name in after}
    processor_ms = 1000 * used.get(PROCESSOR, 0.0) / payments
    mesh_ms = 1000 * sum(s for name, s in used.items() if name not in (*COLLECTORS, PROCESSOR)) / payments
    return {
        "payments": payments,
        "errors": measured.errors,
        "payments_per_s": measured.requests_per_s,
        "catch_up_s": round(catch_up_s, 2),
        "processor_cpu_ms_per_payment": round(processor_ms, 3),
        "mesh_cpu_ms_per_payment": round(mesh_ms, 3),
        "share_percent": round(100 * processor_ms / mesh_ms, 2) if mesh_ms else 0.0,
    }


def table(median: dict[str, float], runs: int) -> str:
    return "\n".join([
        "| payments per run | processor CPU per payment | mesh CPU per payment (without it) | share | caught up in |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {median['payments']:.0f} | {median['processor_cpu_ms_per_payment']:.2f} ms "
        f"| {median['mesh_cpu_ms_per_payment']:.1f} ms | {median['share_percent']:.1f} % "
        f"| {median['catch_up_s']:.1f} s |",
        f"\nmedians of {runs} runs",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench analytics", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--callers", type=int, default=8)
    args = parser.parse_args(argv)
    settings = get_settings()
    supervisor = Supervisor(settings)
    if PROCESSOR not in supervisor.processes():
        raise SystemExit("the analytics service is not running: `make up` first")
    crowd = Crowd(settings, args.runs * args.payments)
    token = staff_token(settings)
    samples = []
    for n in range(args.runs):
        sample = run_once(settings, supervisor, crowd, args.payments, args.callers, token)
        print(f"run {n + 1}: {sample}")
        samples.append(sample)
    median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    written = results_file.write("analytics", "the stream processor's CPU per payment (issue #21: < 10 % of a "
                                 "payment's cost)", args.runs, {"median": median, "runs": samples},
                                 table(median, args.runs))  # fmt: skip
    print(table(median, args.runs))
    print(f"written to {written} and its .md")
