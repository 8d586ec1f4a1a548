"""`python -m services.payments.replay [--dry-run] [--payment-id ID]`: rebuild the payment history read model.

The operator's way to run what ReplayPaymentProjections does (that RPC is internal and the mesh policy
opens internal RPCs to no operator tool): fold every payment's events from the event store, compare
with the stored projection and, unless --dry-run, overwrite what differs. The event store is only read.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from services.payments.adapters.db.projection import replay
from services.runtime.db import Database


async def _run(payment_id: uuid.UUID | None, dry_run: bool) -> int:
    database = Database.for_service("payments")
    try:
        async with database.transaction() as session:
            report = await replay(session, payment_id=payment_id, dry_run=dry_run)
    finally:
        await database.dispose()
    print(f"events replayed {report.events_replayed}, payments rebuilt {report.payments_rebuilt}, "
          f"mismatches {len(report.mismatched)}{' (dry run: nothing written)' if dry_run else ''}, "
          f"{report.seconds:.2f} s")  # fmt: skip
    for mismatched in report.mismatched[:100]:
        print(f"  {mismatched}")
    return 1 if dry_run and report.mismatched else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.payments.replay", description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="only compare and report")
    parser.add_argument("--payment-id", type=uuid.UUID, default=None)
    args = parser.parse_args(argv)
    raise SystemExit(asyncio.run(_run(args.payment_id, args.dry_run)))


if __name__ == "__main__":
    main()
