"""Settlement batches: gathering executed off-us payments, netting, settling through the ledger.

Every change runs in the caller's transaction with the batch row locked, and records the batch's
event in the outbox with the batch's new version as its sequence. Settling writes, in that one
transaction: the posting that moves the net amounts between the participants' clearing accounts and
the settlement account (adapters.db.ledger), a PaymentSettled appended to every payment of the
batch (adapters.db.event_store, which also updates the read model), and the batch's state.

Participants are banks, named by the 8-character form of their BIC (the branch suffix does not
change who settles), like their clearing accounts (services.payments.domain.clearing).

Gross credits (what a participant owes the bank) are the debits booked in the window to its
clearing account by postings that are not settlements: money it sent to the bank's customers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import settlement_batch_pb2 as sb
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db import event_store, ledger
from services.payments.adapters.db.accounts import ensure_internal_account
from services.payments.adapters.db.models import LedgerEntryRow, LedgerPostingRow, PaymentHistoryRow
from services.payments.adapters.db.settlement_models import SettlementBatchPaymentRow, SettlementBatchRow
from services.payments.adapters.events.outbox import source
from services.payments.domain import clearing
from services.payments.domain import settlement_netting as netting
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from services.payments.domain.settlement_lifecycle import CLOSED, FAILED, NETTED, OPEN, SETTLED
from services.payments.domain.settlement_netting import BatchPayment, Netting, Position
from services.runtime import outbox, paging
from services.runtime.errors import FailedPrecondition, NotFound


def participant(bic: str) -> str:
    return bic[:8]


def _money(amount_minor: int, currency_code: str) -> Money:
    return Money(amount_minor=amount_minor, currency_code=currency_code)


async def record(session: AsyncSession, batch: SettlementBatchRow, event: Message, now: datetime) -> None:
    """The batch's next event, in the outbox (its version is the event's sequence)."""
    batch.version += 1
    batch.update_time = now
    await outbox.record(
        session, event, subject=str(batch.settlement_batch_id), sequence=batch.version, source=source(),
        occur_time=now,
    )  # fmt: skip


async def create(
    session: AsyncSession, *, currency_code: str, participant_bic: str, start: datetime, end: datetime, now: datetime
) -> SettlementBatchRow:
    batch = SettlementBatchRow(
        settlement_batch_id=uuid.uuid4(), currency_code=currency_code, participant_bic=participant(participant_bic),
        window_start_time=start, window_end_time=end, state=OPEN, payment_count=0, gross_debit_minor=0,
        gross_credit_minor=0, settlement_reference="", failure_reason="", version=0, create_time=now,
    )  # fmt: skip
    session.add(batch)
    created = ev.SettlementBatchCreated(
        settlement_batch_id=str(batch.settlement_batch_id), currency_code=currency_code,
        participant_bic=batch.participant_bic,
    )  # fmt: skip
    created.window_start_time.FromDatetime(start)
    created.window_end_time.FromDatetime(end)
    created.create_time.FromDatetime(now)
    await record(session, batch, created, now)
    await session.flush()
    return batch


async def gather(session: AsyncSession, batch: SettlementBatchRow) -> int:
    """Add the executed off-us payments of the batch's currency and window that no other live batch holds."""
    taken = exists().where(
        SettlementBatchPaymentRow.payment_id == PaymentHistoryRow.payment_id, SettlementBatchPaymentRow.active
    )
    # An EXECUTED payment's last change is its execution: update_time >= execute_time >= window start.
    rows = await session.scalars(
        select(PaymentHistoryRow)
        .where(PaymentHistoryRow.state == p.PAYMENT_STATE_EXECUTED, PaymentHistoryRow.creditor_account_id.is_(None))
        .where(PaymentHistoryRow.update_time >= batch.window_start_time, ~taken)
    )
    members = []
    for row in rows:
        payment = p.Payment.FromString(row.payment)
        executed = payment.execute_time.ToDatetime(UTC)
        bic = participant(payment.creditor_external_account.bic)
        if (
            payment.amount.currency_code == batch.currency_code
            and batch.window_start_time <= executed < batch.window_end_time
            and bic
            and (not batch.participant_bic or bic == batch.participant_bic)
        ):
            members.append({
                "settlement_batch_id": batch.settlement_batch_id, "payment_id": row.payment_id,
                "participant_bic": bic, "amount_minor": payment.amount.amount_minor, "execute_time": executed,
            })  # fmt: skip
    if members:
        # A concurrent batch that took a payment first keeps it (the partial unique index).
        await session.execute(insert(SettlementBatchPaymentRow).values(members).on_conflict_do_nothing())
    payments = await member_payments(session, batch)
    batch.payment_count = len(payments)
    batch.gross_debit_minor = sum(m.amount_minor for m in payments)
    return len(payments)


async def member_payments(session: AsyncSession, batch: SettlementBatchRow) -> list[BatchPayment]:
    rows = await session.execute(
        select(
            SettlementBatchPaymentRow.payment_id,
            SettlementBatchPaymentRow.participant_bic,
            SettlementBatchPaymentRow.amount_minor,
        ).where(SettlementBatchPaymentRow.settlement_batch_id == batch.settlement_batch_id)
    )
    return [BatchPayment(str(payment_id), bic, amount) for payment_id, bic, amount in rows]


def _participants(batch: SettlementBatchRow, payments: Sequence[BatchPayment]) -> list[str]:
    return sorted({m.participant_bic for m in payments} | ({batch.participant_bic} if batch.participant_bic else set()))


async def gross_credits(session: AsyncSession, batch: SettlementBatchRow, bics: Sequence[str]) -> dict[str, int]:
    accounts = {clearing.clearing_account_id(bic, batch.currency_code): bic for bic in bics}
    if not accounts:
        return {}
    rows = await session.execute(
        select(LedgerEntryRow.account_id, func.sum(LedgerEntryRow.amount_minor))
        .join(LedgerPostingRow, LedgerPostingRow.ledger_posting_id == LedgerEntryRow.ledger_posting_id)
        .where(LedgerEntryRow.account_id.in_(list(accounts)), LedgerEntryRow.direction == DEBIT)
        .where(LedgerPostingRow.settlement_batch_id.is_(None))
        .where(LedgerEntryRow.booking_time >= batch.window_start_time)
        .where(LedgerEntryRow.booking_time < batch.window_end_time)
        .group_by(LedgerEntryRow.account_id)
    )
    return {accounts[account_id]: int(amount) for account_id, amount in rows}


async def booked_debits(
    session: AsyncSession, batch: SettlementBatchRow, payments: Sequence[BatchPayment]
) -> dict[str, int]:
    """What the ledger credited to each participant's clearing account for the batch's payments."""
    accounts = {clearing.clearing_account_id(bic, batch.currency_code): bic for bic in _participants(batch, payments)}
    if not payments:
        return {}
    rows = await session.execute(
        select(LedgerEntryRow.account_id, func.sum(LedgerEntryRow.amount_minor))
        .where(LedgerEntryRow.payment_id.in_([uuid.UUID(m.payment_id) for m in payments]))
        .where(LedgerEntryRow.direction == CREDIT)
        .group_by(LedgerEntryRow.account_id)
    )
    booked: dict[str, int] = {}
    for account_id, amount in rows:
        bic = accounts.get(account_id, f"not a clearing account: {account_id}")
        booked[bic] = booked.get(bic, 0) + int(amount)
    return booked


async def current_netting(session: AsyncSession, batch: SettlementBatchRow) -> tuple[Netting, bool]:
    """The positions (final ones from NETTED on, else so far) and whether the control check passes."""
    payments = await member_payments(session, batch)
    if batch.positions is not None:
        positions = tuple(Position(x["bic"], x["count"], x["debit"], x["credit"]) for x in batch.positions)
        result = Netting(
            positions, batch.payment_count, batch.gross_debit_minor, batch.gross_credit_minor, batch.net_minor or 0
        )
    else:
        bics = _participants(batch, payments)
        result = netting.net(payments, await gross_credits(session, batch, bics))
    return result, netting.check(result, await booked_debits(session, batch, payments))


async def close_and_net(session: AsyncSession, batch: SettlementBatchRow, now: datetime) -> None:
    """OPEN -> CLOSED (the set of payments is fixed) -> NETTED (the positions are final)."""
    await gather(session, batch)
    batch.state, batch.close_time = CLOSED, now
    closed = ev.SettlementBatchClosed(
        settlement_batch_id=str(batch.settlement_batch_id), payment_count=batch.payment_count,
        gross_debit_amount=_money(batch.gross_debit_minor, batch.currency_code),
    )  # fmt: skip
    closed.close_time.FromDatetime(now)
    await record(session, batch, closed, now)

    result, _ = await current_netting(session, batch)
    currency = batch.currency_code
    batch.state, batch.net_time = NETTED, now
    batch.positions = [
        {
            "bic": x.participant_bic,
            "count": x.payment_count,
            "debit": x.gross_debit_minor,
            "credit": x.gross_credit_minor,
        }
        for x in result.positions
    ]
    batch.payment_count, batch.gross_debit_minor = result.payment_count, result.gross_debit_minor
    batch.gross_credit_minor, batch.net_minor = result.gross_credit_minor, result.net_minor
    netted = ev.SettlementBatchNetted(
        settlement_batch_id=str(batch.settlement_batch_id), positions=position_messages(result, currency),
        payment_count=result.payment_count, gross_debit_amount=_money(result.gross_debit_minor, currency),
        gross_credit_amount=_money(result.gross_credit_minor, currency), net_amount=_money(result.net_minor, currency),
    )  # fmt: skip
    netted.net_time.FromDatetime(now)
    await record(session, batch, netted, now)


def settlement_legs(result: Netting, currency_code: str) -> list[Leg]:
    """Each participant's net moved off its clearing account; the bank's net through the settlement account."""
    legs = []
    for x in result.positions:
        if x.net_minor:
            account = clearing.clearing_account_id(x.participant_bic, currency_code)
            legs.append(Leg(account, DEBIT if x.net_minor < 0 else CREDIT, abs(x.net_minor)))
    if result.net_minor:
        account = clearing.settlement_account_id(currency_code)
        legs.append(Leg(account, CREDIT if result.net_minor < 0 else DEBIT, abs(result.net_minor)))
    return legs


async def settle(session: AsyncSession, batch: SettlementBatchRow, reference: str, now: datetime) -> None:
    """NETTED -> SETTLED: book the nets, settle every payment, in the caller's transaction."""
    result, balanced = await current_netting(session, batch)
    if not balanced:
        raise FailedPrecondition(
            "the batch's report is not balanced; it cannot be settled",
            metadata={"settlement_batch_id": str(batch.settlement_batch_id)},
        )
    batch_id, currency = str(batch.settlement_batch_id), batch.currency_code
    legs = settlement_legs(result, currency)
    if legs:
        for leg in legs:
            await ensure_internal_account(session, leg.account_id, currency)
        posting = await ledger.post(
            session, legs, currency_code=currency, description=f"Settlement {reference}",
            settlement_batch_id=batch_id, check_funds=False, booking_time=now,
        )  # fmt: skip
        batch.ledger_posting_id = uuid.UUID(posting.ledger_posting_id)
    for member in await member_payments(session, batch):
        folded = await event_store.load(session, member.payment_id)
        settled = ev.PaymentSettled(payment_id=member.payment_id, settlement_batch_id=batch_id)
        settled.settle_time.FromDatetime(now)
        await event_store.append(session, member.payment_id, folded.version, [settled], current=folded, occur_time=now)
    batch.state, batch.settle_time, batch.settlement_reference = SETTLED, now, reference
    event = ev.SettlementBatchSettled(
        settlement_batch_id=batch_id, settlement_reference=reference,
        ledger_posting_id=str(batch.ledger_posting_id or ""), payment_count=result.payment_count,
        net_amount=_money(result.net_minor, currency),
    )  # fmt: skip
    event.settle_time.FromDatetime(now)
    await record(session, batch, event, now)


async def fail(session: AsyncSession, batch: SettlementBatchRow, reason: str, now: datetime) -> None:
    """CLOSED or NETTED -> FAILED: nothing is booked and the payments are free for a later batch."""
    await session.execute(
        update(SettlementBatchPaymentRow)
        .where(SettlementBatchPaymentRow.settlement_batch_id == batch.settlement_batch_id)
        .values(active=False)
    )
    batch.state, batch.failure_reason = FAILED, reason
    failed = ev.SettlementBatchFailed(settlement_batch_id=str(batch.settlement_batch_id), failure_reason=reason)
    failed.fail_time.FromDatetime(now)
    await record(session, batch, failed, now)


def position_messages(result: Netting, currency_code: str) -> list[sb.ParticipantPosition]:
    return [
        sb.ParticipantPosition(
            participant_bic=x.participant_bic, payment_count=x.payment_count,
            gross_debit_amount=_money(x.gross_debit_minor, currency_code),
            gross_credit_amount=_money(x.gross_credit_minor, currency_code),
            net_amount=_money(x.net_minor, currency_code),
        )
        for x in result.positions
    ]  # fmt: skip


def _set_time(value: datetime | None, target: Timestamp) -> None:
    if value is not None:
        target.FromDatetime(value)


def batch_message(batch: SettlementBatchRow) -> sb.SettlementBatch:
    currency = batch.currency_code
    message = sb.SettlementBatch(
        settlement_batch_id=str(batch.settlement_batch_id), participant_bic=batch.participant_bic,
        currency_code=currency, state=cast(sb.SettlementBatchState, batch.state), payment_count=batch.payment_count,
        gross_debit_amount=_money(batch.gross_debit_minor, currency),
        gross_credit_amount=_money(batch.gross_credit_minor, currency),
        ledger_posting_id=str(batch.ledger_posting_id or ""), settlement_reference=batch.settlement_reference,
        failure_reason=batch.failure_reason, version=batch.version,
    )  # fmt: skip
    if batch.net_minor is not None:
        message.net_amount.CopyFrom(_money(batch.net_minor, currency))
    for name in ("window_start_time", "window_end_time", "create_time", "close_time", "net_time", "settle_time",
                 "update_time"):  # fmt: skip
        _set_time(getattr(batch, name), getattr(message, name))
    return message


async def report(session: AsyncSession, batch: SettlementBatchRow, now: datetime) -> sb.SettlementReport:
    result, balanced = await current_netting(session, batch)
    currency = batch.currency_code
    message = sb.SettlementReport(
        settlement_batch_id=str(batch.settlement_batch_id), state=cast(sb.SettlementBatchState, batch.state),
        positions_final=batch.state in (NETTED, SETTLED), currency_code=currency,
        positions=position_messages(result, currency), payment_count=result.payment_count,
        total_gross_debit_amount=_money(result.gross_debit_minor, currency),
        total_gross_credit_amount=_money(result.gross_credit_minor, currency),
        net_settlement_amount=_money(result.net_minor, currency), balanced=balanced,
    )  # fmt: skip
    message.window_start_time.FromDatetime(batch.window_start_time)
    message.window_end_time.FromDatetime(batch.window_end_time)
    message.generate_time.FromDatetime(now)
    return message


async def load(session: AsyncSession, batch_id: str, *, lock: bool = False) -> SettlementBatchRow:
    row = await session.get(SettlementBatchRow, uuid.UUID(batch_id), with_for_update=lock)
    if row is None:
        raise NotFound(f"settlement batch {batch_id} not found", metadata={"settlement_batch_id": batch_id})
    return row


async def open_batches_locked(session: AsyncSession) -> list[SettlementBatchRow]:
    """The OPEN batches no other transaction holds, locked for this one."""
    query = select(SettlementBatchRow).where(SettlementBatchRow.state == OPEN).with_for_update(skip_locked=True)
    return list((await session.scalars(query)).all())


async def page_of_batches(
    session: AsyncSession, request: Message, key: bytes, fingerprint: str, *, states: Sequence[int],
    currency_code: str, participant_bic: str, start: datetime | None, end: datetime | None, default_size: int,
) -> tuple[list[SettlementBatchRow], str]:  # fmt: skip
    """One page of batches (newest window first) matching the filters, and the next page's token."""
    query: Select[tuple[SettlementBatchRow]] = select(SettlementBatchRow)
    if states:
        query = query.where(SettlementBatchRow.state.in_(list(states)))
    if currency_code:
        query = query.where(SettlementBatchRow.currency_code == currency_code)
    if participant_bic:
        query = query.where(SettlementBatchRow.participant_bic == participant(participant_bic))
    if start is not None:
        query = query.where(SettlementBatchRow.window_start_time >= start)
    if end is not None:
        query = query.where(SettlementBatchRow.window_start_time < end)
    order = (SettlementBatchRow.window_start_time, SettlementBatchRow.settlement_batch_id)
    rows, token = await paging.keyset_page(session, query, order, request, key, fingerprint, descending=True,
                                           default_size=default_size)  # fmt: skip
    return list(rows), token
