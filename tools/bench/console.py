"""The operations console's CPU per payment: what following the aggregates and pushing them to browsers costs.

    python -m tools.bench console [--runs 3] [--rate 20] [--seconds 30] [--viewers 3]

Needs the mesh up with the console and the edge. `--viewers` browsers' event streams are opened through the edge
(an admin's token in the console's cookie, as its sign-in sets it) and read to the end while, at `--rate` payments a
second for `--seconds`, each payment's aggregates are produced as the stream processor publishes them (the contract's
messages on the compacted topics: its INITIATED and EXECUTED flow windows, its fraud decision window and its
settlement position; tools/bench/aggregates.py). The console's CPU (its process, from /proc) over the run, divided by
the payments, is the number; the table holds the medians of `--runs` runs. A payment costs the mesh about 80 ms of
CPU (README, Performance), so the issue's bound (under 10 % of a payment) is 8 ms. The processor's own CPU per payment
is measured where it runs (services/analytics); this bench stands in for it, so none of its CPU is counted here.
Results: var/bench/console.json and var/bench/console.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
import urllib.request
from datetime import UTC, datetime

from fintech.payments.v1 import payment_pb2 as P

from services.runtime.config import Settings, get_settings
from tools.bench import results as results_file
from tools.bench.aggregates import ContractProducer, minute
from tools.bench.load import cpu_by_component
from tools.edge.tokens import issue_token
from tools.mesh.supervisor import Supervisor

RECORDS_PER_PAYMENT = 4
PAYMENT_CPU_MS = 80.0  # the mesh's CPU per payment through the edge (README, Performance: 79-86 ms)


def _viewer(settings: Settings, token: str, stop: threading.Event, received: list[int]) -> None:
    url = f"http://{settings.mesh.host}:{settings.envoy.rest_port}{settings.console.path}/events"
    request = urllib.request.Request(url, headers={"cookie": f"fintech_console={token}"})
    with urllib.request.urlopen(request, timeout=30) as stream:
        while not stop.is_set():
            line = stream.readline()
            if not line:
                return
            if line.startswith(b"event: "):
                received[0] += 1


async def _pay(settings: Settings, rate: int, seconds: int) -> int:
    """`rate` payments a second for `seconds`, as the processor's aggregates; returns how many were sent."""
    bics = ("COBADEFFXXX", "BNPAFRPPXXX", "INGBNL2AXXX", "INTERNAL")
    sent = 0
    async with ContractProducer(settings) as producer:
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate) + 1
            while sent < due:
                now, amount = minute(datetime.now(UTC)), 1_000 + sent % 5_000
                await producer.payments(now, P.PAYMENT_STATE_INITIATED, P.PAYMENT_CHANNEL_MOBILE_APP, 1, amount)
                await producer.decisions(now, "1", 1, 0, 0, 0.05)
                await producer.payments(now, P.PAYMENT_STATE_EXECUTED, P.PAYMENT_CHANNEL_MOBILE_APP, 1, amount)
                await producer.position(bics[sent % len(bics)], sent + 1, amount * (sent + 1))
                sent += 1
            await asyncio.sleep(max(0.0, (sent / rate) - (time.monotonic() - started)))
    return sent


def run_once(settings: Settings, rate: int, seconds: int, viewers: int) -> dict[str, float]:
    supervisor = Supervisor(settings)
    token = issue_token(settings, "admin-bench", roles=["admin"], ttl=seconds + 120)
    stop, received = threading.Event(), [0]
    threads = [threading.Thread(target=_viewer, args=(settings, token, stop, received), daemon=True)
               for _ in range(viewers)]  # fmt: skip
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the streams opened and got their snapshots
    before = cpu_by_component(supervisor)["console"]
    payments = asyncio.run(_pay(settings, rate, seconds))
    time.sleep(1.0)  # the last poll applied and pushed
    used = cpu_by_component(supervisor)["console"] - before
    stop.set()
    cpu_ms = 1000 * used / payments
    return {"payments": payments, "events_received": received[0], "console_cpu_ms_per_payment": round(cpu_ms, 3),
            "share_of_a_payment": round(cpu_ms / PAYMENT_CPU_MS, 4)}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench console", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=20, help="payments per second")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--viewers", type=int, default=3, help="browsers following the event stream")
    args = parser.parse_args(argv)
    settings = get_settings()
    runs = [run_once(settings, args.rate, args.seconds, args.viewers) for _ in range(args.runs)]
    cpu = statistics.median(run["console_cpu_ms_per_payment"] for run in runs)
    markdown = "\n".join([
        "| payments/s | viewers | console CPU per payment (median) | share of a payment's ~80 ms |",
        "| ---: | ---: | ---: | ---: |",
        f"| {args.rate} | {args.viewers} | {cpu:.2f} ms | {100 * cpu / PAYMENT_CPU_MS:.1f} % |",
    ])  # fmt: skip
    path = results_file.write("console", __doc__.split("\n")[0], args.runs, runs, markdown)
    print(markdown)
    print(f"results: {path}")
