"""A payment the process died with in SCREENING (recorded, screening outcome never stored) is held for review
by the sweeper, so nothing stays stranded with its amount reserved; a retry answers with the held payment."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p

from services.payments.adapters.background import StrandedScreenings
from services.payments.adapters.db import event_store
from services.payments.adapters.sealing import Sealer
from services.payments.api.initiation import order_of
from services.payments.app.payments import Payments
from services.payments.config import load_keys
from services.runtime.access import Principal
from tests.payments.support import payer_and_payee, payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka")
TELLER = Principal("recovery-teller", frozenset({"teller"}))


class DiesWhileScreening:
    """The process "dies" where a kill -9 would hurt most: after the payment is recorded, before screening ends."""

    async def screen(self, tx):
        raise SystemError("the payments process died here")


async def test_a_payment_stranded_in_screening_is_held_for_review_and_its_retry_answers_with_it(settings):
    database = await payments_database(settings)
    try:
        payer, payee = await payer_and_payee(database, 10_000)
        app = Payments(database, Sealer(load_keys(settings)), DiesWhileScreening(), verification=None)
        request = isvc.InitiatePaymentRequest(
            idempotency_key=str(uuid.uuid4()), debtor_account_id=str(payer), creditor_account_id=str(payee),
            amount=Money(amount_minor=2_500, currency_code="EUR"), channel=p.PAYMENT_CHANNEL_WEB,
        )  # fmt: skip
        with pytest.raises(SystemError):
            await app.initiate(TELLER, order_of(request))
        sweeper = StrandedScreenings(app, stranded_after=timedelta(0))
        await sweeper.tick()
        retried = await app.initiate(TELLER, order_of(request))  # the key's call never finished: its payment
        assert retried.state == p.PAYMENT_STATE_HELD_FOR_REVIEW
        assert retried.hold_reason == p.HOLD_REASON_SCREENING_UNAVAILABLE
        async with database.session() as session:
            folded = await event_store.load(session, retried.payment_id)
        assert folded.state == p.PAYMENT_STATE_HELD_FOR_REVIEW
        await sweeper.tick()  # nothing left to do: the held payment is not touched again
        async with database.session() as session:
            assert (await event_store.load(session, retried.payment_id)).version == folded.version
    finally:
        await database.dispose()
