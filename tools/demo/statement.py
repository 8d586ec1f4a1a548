"""The demo's statement step: Alice's camt.053 of today, built from the lake's events (the same code as the end-of-day
statements of the file exchange) and checked against her account's balance in the ledger."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fintech.payments.v1 import position_keeping_service_pb2 as positions

from libs.iso20022.money import to_text
from services.lake.adapters.exchange_tasks import statements_of
from services.lake.app.statements import WrittenStatement
from services.runtime.config import Settings

if TYPE_CHECKING:
    from tools.demo.scenario import Onboarded, Scenario

__all__ = ["WrittenStatement", "show_statement"]  # the scenario and its test type Alice's statement with it

RETRIEVE_ACCOUNT = positions.DESCRIPTOR.services_by_name["PositionKeepingService"].methods_by_name["RetrieveAccount"]
# The lake sink commits a batch within its flush interval ([lake] flush_seconds).
PATIENCE = 45.0
# Consecutive failed reads after which the lake counts as absent.
UNREACHABLE_AFTER = 3


def show_statement(scenario: Scenario, customer: Onboarded) -> None:
    settings, say, name = scenario.settings, scenario.say, customer.person.name
    account_id = customer.accounts["EUR"]
    request = positions.RetrieveAccountRequest(account_id=account_id)
    ledger_balance = scenario.edge.call(RETRIEVE_ACCOUNT, request, token=scenario.admin).account.ledger_balance
    say.step(
        "The day's statement from the lake",
        "Every event is also in the lake (Iceberg tables on the object store). The file exchange builds each "
        "account's ISO 20022 camt.053 statement from its ledger events there, validated against the official "
        "schema, and writes it to exchange/outbound/ (all accounts once the UTC day is over; here today's so far).",
    )
    with say.working("waiting for the lake sink to commit today's bookings"):
        written = _statement(settings, account_id, ledger_balance.amount_minor)
    scenario.statement = written
    if isinstance(written, str):
        say.say(f"No statement of {name}'s account: {written}")
        return
    statement = written.statement
    currency = statement.currency
    say.table(
        f"camt.053 of {name}'s account {account_id[:8]} on {statement.day} (UTC)",
        ("booked", "entry", "amount", "balance after", "end-to-end id"),
        [(e.booking_time.strftime("%H:%M:%S"), e.sequence,
          ("+" if e.credit else "-") + to_text(e.amount_minor, currency),
          to_text(e.balance_after_minor, currency), e.end_to_end_id or "-") for e in statement.ordered],
    )  # fmt: skip
    say.say(
        f"opening {to_text(statement.opening_minor, currency)} {currency}, closing "
        f"{to_text(statement.closing_minor, currency)} {currency} (the ledger's balance), "
        f"{len(statement.entries)} entries; object s3://{settings.object_store.bucket}/{written.key}"
    )


def _statement(settings: Settings, account_id: str, ledger_balance: int) -> WrittenStatement | str:
    """Today's statement once its closing balance is the ledger's (every booking of the day is in the lake), else
    why not: the lake lagging past PATIENCE, or unreachable (a mesh without the data platform)."""
    statements = statements_of(settings)
    day = datetime.now(UTC).date()
    deadline = time.monotonic() + PATIENCE
    failures = 0
    while time.monotonic() < deadline:
        try:
            written = asyncio.run(statements.for_account(account_id, day))
        except Exception as error:  # no lake database, no object store: say so rather than wait
            failures += 1
            if failures >= UNREACHABLE_AFTER:
                return f"the lake is unreachable ({type(error).__name__}): is the data platform up?"
        else:
            if written is not None and written.statement.closing_minor == ledger_balance:
                return written
        time.sleep(1)
    return f"the lake's statement did not reach the ledger's balance within {PATIENCE:.0f} s"
