"""What an answer of InitiatePayment means for one transaction of a customer's file, pure.

A payment recorded in any state but REJECTED is accepted; a rejected payment or a business refusal is a rejected
transaction with an ISO 20022 reason; anything else (payments away, overloaded, out of time) is no outcome yet:
the file is processed again later, and the idempotency keys make that safe.
"""

from __future__ import annotations

from dataclasses import dataclass

from fintech.payments.v1 import payment_pb2 as p

from libs.iso20022.reasons import Reason


@dataclass(frozen=True)
class Accepted:
    payment_id: str
    state: str  # e.g. PAYMENT_STATE_EXECUTED


@dataclass(frozen=True)
class Refused:
    reason: Reason
    text: str


Outcome = Accepted | Refused

# gRPC codes after which the call may be repeated with the same key: not an outcome.
TRANSIENT_CODES = frozenset(
    {"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED", "INTERNAL", "UNKNOWN"}
)

# Reasons of payments' refusals (google.rpc.ErrorInfo.reason) as ISO 20022 status reasons.
_REFUSALS = {
    "INSUFFICIENT_FUNDS": (Reason.INSUFFICIENT_FUNDS, "insufficient funds"),
    "CURRENCY_MISMATCH": (Reason.CURRENCY, "currency differs from the account's"),
    "SAME_ACCOUNT": (Reason.NOT_ALLOWED, "debtor and creditor are the same account"),
    "ACCOUNT_NOT_ACTIVE": (Reason.ACCOUNT_BLOCKED, "account not active"),
    "CUSTOMER_NOT_VERIFIED": (Reason.REGULATORY, "customer not verified (KYC)"),
    "CUSTOMER_ERASED": (Reason.ACCOUNT_CLOSED, "account closed"),
    "PAYMENT_DECLINED": (Reason.FRAUD, "declined by fraud screening"),
    "SANCTIONS_MATCH": (Reason.REGULATORY, "declined by sanctions screening"),
    "IDEMPOTENCY_KEY_REUSED": (Reason.DUPLICATE, "same ids as an earlier, different transaction"),
    "RESOURCE_NOT_FOUND": (Reason.ACCOUNT_UNKNOWN, "unknown account"),
}
# An unknown account answers NOT_FOUND, or PERMISSION_DENIED where ownership hides it (AIP-211).
_BY_CODE = {
    "NOT_FOUND": (Reason.ACCOUNT_UNKNOWN, "unknown account"),
    "PERMISSION_DENIED": (Reason.ACCOUNT_UNKNOWN, "unknown account"),
}
_REJECTIONS = {
    p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED: (Reason.FRAUD, "declined by fraud screening"),
    p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED: (Reason.REGULATORY, "declined by compliance screening"),
    p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED: (Reason.NOT_ALLOWED, "rejected on review"),
    p.PAYMENT_REJECTION_REASON_INSUFFICIENT_FUNDS: (Reason.INSUFFICIENT_FUNDS, "insufficient funds"),
    p.PAYMENT_REJECTION_REASON_ACCOUNT_NOT_ACTIVE: (Reason.ACCOUNT_BLOCKED, "account not active"),
}


class NoOutcomeYet(Exception):
    """The call ended without a definite outcome; the file must be processed again."""


def of_payment(payment: p.Payment) -> Outcome:
    if payment.state == p.PAYMENT_STATE_REJECTED:
        reason, text = _REJECTIONS.get(payment.rejection_reason, (Reason.NOT_ALLOWED, "payment rejected"))
        return Refused(reason, text)
    return Accepted(payment.payment_id, p.PaymentState.Name(payment.state))


def of_error(code: str, reason: str, fields: list[str]) -> Outcome:
    """The outcome of a call that failed with gRPC status `code`, ErrorInfo `reason` and the BadRequest's fields;
    NoOutcomeYet when the call may simply be repeated."""
    if code in TRANSIENT_CODES:
        raise NoOutcomeYet(f"{code} {reason}".strip())
    if reason in _REFUSALS:
        return Refused(*_REFUSALS[reason])
    if code == "INVALID_ARGUMENT":
        return Refused(Reason.NARRATIVE, ("invalid: " + ", ".join(fields))[:105] if fields else "invalid transaction")
    if code in _BY_CODE:
        return Refused(*_BY_CODE[code])
    return Refused(Reason.NARRATIVE, f"refused: {reason or code}"[:105])
