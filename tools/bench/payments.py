"""InitiatePayment end to end, by load: payments/s and latency percentiles (screening included).

    python -m tools.bench payments [--runs 3] [--requests 400] [--rate 20] [--seconds 60]

Needs the whole mesh up (`make bench` runs `make up` first). Each call is a full initiation: the
idempotency key claimed, KYC asked of customer, fraud and AML screening by risk (features, the fraud
model on Triton), the ledger posting with the event store, read model and outbox in PostgreSQL, and
the relay to Kafka. Closed loop with ghz over mTLS at 1, 8 and 32 callers (latency alone, then the
ceiling), then open loop: `--rate` payments/s for `--seconds` (the issue's sustained run; latency at
that load). Every scenario runs `--runs` times and the table holds the medians. The accounts and
payment templates come from the mesh bench's `Crowd`: enough KYC-verified customers (two accounts
each) that none pays more than a few times in the whole bench, as in a bank's crowd at that volume, so the
fraud rules' velocity marks decline none of it; a declined payment is recorded (FAILED_PRECONDITION,
PAYMENT_DECLINED) and counted apart. The payments topic tells how the run's payments ended: executed,
declined, held for review, held because screening did not answer in time (the API answered, but the
payment waits for a person), and screened by rules alone (the fraud model did not answer in time).
Results: var/bench/payments.json and var/bench/payments.md.
"""

from __future__ import annotations

import argparse

from services.runtime.config import get_settings
from tools.bench import results as results_file
from tools.bench.load import ghz
from tools.bench.mesh import INITIATE, MTLS, Crowd, Run, Scenario, _measure, _median, staff_token, table
from tools.mesh.supervisor import Supervisor

CALLERS = (1, 8, 32)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench payments", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="calls per run at the highest concurrency")
    parser.add_argument("--rate", type=int, default=20, help="open loop: payments per second")
    parser.add_argument("--seconds", type=int, default=60, help="open loop: how long")
    args = parser.parse_args(argv)
    settings = get_settings()
    supervisor = Supervisor(settings)
    totals = [max(50, args.requests * callers // max(CALLERS)) for callers in CALLERS]
    crowd = Crowd(settings, args.runs * (sum(totals) + args.rate * args.seconds))
    staff = staff_token(settings)  # InitiatePayment needs an end user: sent as the edge forwards one

    def closed(callers: int, total: int) -> Run:
        return lambda: ghz(
            settings, "payments", INITIATE, crowd.take(total), requests=total, concurrency=callers, token=staff
        )

    def open_loop(rate: int, seconds: int) -> Run:
        total = rate * seconds
        return lambda: ghz(
            settings, "payments", INITIATE, crowd.take(total), requests=total, concurrency=200, rps=rate, token=staff
        )

    scenarios = [Scenario("InitiatePayment", MTLS, f"closed, {callers} callers", closed(callers, total), payments=True)
                 for callers, total in zip(CALLERS, totals, strict=True)]  # fmt: skip
    scenarios.append(Scenario("InitiatePayment", MTLS, f"open, {args.rate}/s for {args.seconds} s",
                              open_loop(args.rate, args.seconds), payments=True))  # fmt: skip
    results = []
    for scenario in scenarios:
        samples = [_measure(settings, supervisor, scenario) for _ in range(args.runs)]
        median = _median(samples)
        declined = sorted(s.statuses.get("FailedPrecondition", 0) / max(1, s.requests) for s in samples)
        median["declined_rate"] = declined[len(declined) // 2]
        results.append({"scenario": scenario.name, "path": scenario.path, "loop": scenario.loop, "median": median,
                        "runs": [s.record() for s in samples]})  # fmt: skip
        print(f"{scenario.loop}: {median['requests_per_s']:.1f} payments/s "
              f"(executed {median.get('executed_per_s', 0.0):.1f}/s), p50 {median['p50_ms']:.0f} ms, "
              f"p95 {median['p95_ms']:.0f} ms, p99 {median['p99_ms']:.0f} ms, "
              f"declined {100 * median['declined_rate']:.0f} %")  # fmt: skip
    written = results_file.write("payments", "InitiatePayment end to end (KYC, screening, ledger, event store, outbox)",
                                 args.runs, results, table(results))  # fmt: skip
    print(table(results))
    print(f"medians of {args.runs} runs; written to {written} and its .md")
