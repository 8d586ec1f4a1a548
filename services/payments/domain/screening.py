"""What screening sees of a payment, and the outcome of a screening that could not be done, pure."""

from __future__ import annotations

from datetime import UTC, datetime

from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import transaction_pb2 as t

CHANNELS = {
    p.PAYMENT_CHANNEL_MOBILE_APP: t.TRANSACTION_CHANNEL_MOBILE_APP,
    p.PAYMENT_CHANNEL_WEB: t.TRANSACTION_CHANNEL_WEB,
    p.PAYMENT_CHANNEL_OPEN_BANKING_API: t.TRANSACTION_CHANNEL_OPEN_BANKING_API,
    p.PAYMENT_CHANNEL_BRANCH: t.TRANSACTION_CHANNEL_BRANCH,
    p.PAYMENT_CHANNEL_BACK_OFFICE: t.TRANSACTION_CHANNEL_SCHEDULED,
    p.PAYMENT_CHANNEL_FILE: t.TRANSACTION_CHANNEL_SCHEDULED,
    p.PAYMENT_CHANNEL_WEARABLE: t.TRANSACTION_CHANNEL_MOBILE_APP,  # an app on the customer's own device
}


def transaction(
    payment: p.Payment,
    *,
    remittance: str = "",
    creditor: p.ExternalAccount | None = None,
    fingerprint: p.ClientFingerprint | None = None,
) -> t.Transaction:
    """The risk service's view of a payment (with the personal data it needs, in memory only)."""
    tx = t.Transaction(
        payment_id=payment.payment_id,
        customer_id=payment.customer_id,
        debtor_account_id=payment.debtor_account_id,
        creditor_account_id=payment.creditor_account_id,
        amount=payment.amount,
        transaction_type=t.TRANSACTION_TYPE_INTERNAL_TRANSFER
        if payment.creditor_account_id
        else t.TRANSACTION_TYPE_CREDIT_TRANSFER,
        direction=t.TRANSACTION_DIRECTION_OUTGOING,
        channel=CHANNELS.get(payment.channel, t.TRANSACTION_CHANNEL_WEB),
        transaction_time=payment.create_time,
        remittance_information=remittance,
    )
    if payment.creditor_account_id:
        tx.counterparty.counterparty_id = payment.creditor_account_id
    elif creditor is not None:
        tx.counterparty.name = creditor.holder_name
        tx.counterparty.account_number = creditor.iban
        tx.counterparty.bank_identifier_code = creditor.bic
        tx.counterparty.country_code = creditor.iban[:2]
    if fingerprint is not None:
        tx.device.device_id = fingerprint.device_id
        tx.device.ip_address = fingerprint.ip_address
        tx.device.user_agent = fingerprint.user_agent
    return tx


def skipped() -> p.ScreeningOutcome:
    """The outcome of a screening that could not be done: the payment is held for a person."""
    outcome = p.ScreeningOutcome(screening_skipped=True)
    outcome.screen_time.FromDatetime(datetime.now(UTC))
    return outcome
