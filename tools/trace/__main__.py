"""`python -m tools.trace <payment id>`: the payment's trace from Jaeger as a terminal waterfall.

Finds the traces whose payments span carries the payment's id (fintech.payment_id), oldest first (the
initiation; a retry with the same idempotency key makes another), and prints each: one row per span, under
its parent, with its service, operation, start offset, duration and a bar on the trace's time axis.
"""

from __future__ import annotations

import argparse
import sys
import time

from services.runtime.config import get_settings
from tools.trace.jaeger_api import TraceNotFound, payment_trace_ids, trace_spans, trace_url
from tools.trace.waterfall import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("payment_id")
    parser.add_argument("--lookback", default="24h", help="how far back to search (Jaeger duration: 1h, 24h)")
    parser.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the trace to arrive")
    parser.add_argument("--all", action="store_true", help="every trace of the payment, not only the first")
    args = parser.parse_args(argv)
    settings = get_settings()
    deadline = time.monotonic() + args.wait
    while not (trace_ids := payment_trace_ids(settings, args.payment_id, args.lookback)):
        if time.monotonic() >= deadline:
            print(f"no trace of payment {args.payment_id} in Jaeger (sampled out, or older than its memory)")
            return 1
        time.sleep(0.5)
    for trace_id in trace_ids if args.all else trace_ids[:1]:
        try:
            spans = trace_spans(settings, trace_id)
        except TraceNotFound:
            continue
        sys.stdout.write(f"trace {trace_id}  ({trace_url(settings, trace_id)})\n{render(spans)}\n")
    if len(trace_ids) > 1 and not args.all:
        print(f"{len(trace_ids) - 1} more trace(s) of this payment (a retry with its key): --all shows them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
