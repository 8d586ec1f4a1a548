"""InitiatePayment end to end, by load: payments/s and latency percentiles (screening included).

    python -m tools.bench payments [--runs 3] [--requests 400]

Needs the whole mesh up (`make bench` runs `make up` first). Each call is a full initiation: the
idempotency key claimed, KYC asked of customer, fraud and AML screening by risk (features, the fraud
model on Triton), the ledger posting with the event store, read model and outbox in PostgreSQL, and
the relay to Kafka. Closed loop with ghz over mTLS at 1, 8 and 32 callers (latency alone, then
throughput); every scenario runs `--runs` times and the table holds the medians. The accounts and
payment templates are the mesh bench's (40 KYC-verified customers, two accounts each), so velocity
declines are as in a real crowd of that size: they are recorded payments (FAILED_PRECONDITION,
PAYMENT_DECLINED), counted apart. Results: var/bench/payments.json and var/bench/payments.md.
"""

from __future__ import annotations

import argparse

from services.runtime.config import get_settings
from tools.bench import results as results_file
from tools.bench.load import ghz
from tools.bench.mesh import INITIATE, MTLS, Scenario, _accounts, _measure, _median, _payment_data, table
from tools.mesh.supervisor import Supervisor

CALLERS = (1, 8, 32)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench payments", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="calls per run at the highest concurrency")
    args = parser.parse_args(argv)
    settings = get_settings()
    supervisor = Supervisor(settings)
    data = _payment_data(_accounts(settings))
    results = []
    for callers in CALLERS:
        total = max(50, args.requests * callers // max(CALLERS))

        def run(callers: int = callers, total: int = total):
            return ghz(settings, "payments", INITIATE, data, requests=total, concurrency=callers)

        scenario = Scenario("InitiatePayment", MTLS, f"closed, {callers} callers", run, payments=True)
        samples = [_measure(settings, supervisor, scenario) for _ in range(args.runs)]
        median = _median(samples)
        declined = sorted(s.statuses.get("FailedPrecondition", 0) / max(1, s.requests) for s in samples)
        median["declined_rate"] = declined[len(declined) // 2]
        results.append({"scenario": scenario.name, "path": scenario.path, "loop": scenario.loop, "median": median,
                        "runs": [s.record() for s in samples]})  # fmt: skip
        print(f"{callers} callers: {median['requests_per_s']:.1f} payments/s, p50 {median['p50_ms']:.0f} ms, "
              f"p95 {median['p95_ms']:.0f} ms, p99 {median['p99_ms']:.0f} ms, "
              f"declined {100 * median['declined_rate']:.0f} %")  # fmt: skip
    written = results_file.write("payments", "InitiatePayment end to end (KYC, screening, ledger, event store, outbox)",
                                 args.runs, results, table(results))  # fmt: skip
    print(table(results))
    print(f"medians of {args.runs} runs; written to {written} and its .md")
