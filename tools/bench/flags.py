"""`python -m tools.bench flags`: what a feature flag costs a call (services/runtime/flags.py), in µs per evaluation.

flagd's evaluator runs in process on the repository's flag file: the challenger share (a string flag, fractional
targeting on the payment id, with the caller in the context as a service builds it), the webhook kill switch (a
boolean with no targeting), the wearable rollout (a segment rule, then fractional on the customer id), and the safe
default served while the file is missing. Median of `--runs` runs of `--calls` evaluations each, one core.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from services.runtime import access, flags
from services.runtime.config import ROOT
from services.runtime.flags_settings import FlagSettings
from tools.bench import results


def per_call(evaluate: Callable[[int], object], calls: int) -> float:
    started = time.perf_counter()
    for i in range(calls):
        evaluate(i)
    return (time.perf_counter() - started) / calls * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench flags", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    client = flags.Flags(FlagSettings(path=ROOT / "flags" / "flags.flagd.json"), "bench")
    missing = flags.Flags(
        FlagSettings(path=Path(tempfile.mkdtemp()) / "absent.json", startup_wait_seconds=0), "bench-missing"
    )
    asyncio.run(client.start())
    asyncio.run(missing.start())
    access.bind(access.Principal("payments", kind=access.Kind.SERVICE, workload="payments"))
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    cases: dict[str, Callable[[int], object]] = {
        "context only": lambda i: flags.context(ids[i % 1000], payment_id=ids[i % 1000]),
        "challenger share (string, fractional)": lambda i: client.string(
            "fraud-challenger-share", "", flags.context(ids[i % 1000], payment_id=ids[i % 1000])
        ),
        "kill switch (boolean, static)": lambda i: client.boolean("webhook-delivery", True),
        "wearable rollout (segment rule + fractional)": lambda i: client.boolean(
            "wearable-channel-rollout",
            False,
            flags.context(ids[i % 1000], customer_id=ids[i % 1000], customer_segment="retail"),
        ),
        "safe default (file missing)": lambda i: missing.boolean("webhook-delivery", True),
    }
    measured = {name: [per_call(case, args.calls) for _ in range(args.runs)] for name, case in cases.items()}
    medians = {name: round(statistics.median(values), 1) for name, values in measured.items()}
    table = "| evaluation | µs per call (median) |\n| --- | --- |\n" + "".join(
        f"| {name} | {value} |\n" for name, value in medians.items()
    )
    path = results.write("flags", "feature flag evaluation, µs per call", args.runs, medians, table)
    print(table, end="")
    print(f"written to {path}")
