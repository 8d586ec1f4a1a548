"""Why a transaction was not paid, as ISO 20022's external status reason codes (ExternalStatusReason1Code)."""

from __future__ import annotations

from enum import Enum


class Reason(Enum):
    ACCOUNT_UNKNOWN = "AC01"  # IncorrectAccountNumber
    ACCOUNT_CLOSED = "AC04"  # ClosedAccountNumber
    ACCOUNT_BLOCKED = "AC06"  # BlockedAccount
    INSUFFICIENT_FUNDS = "AM04"  # InsufficientFunds
    DUPLICATE = "AM05"  # Duplication
    CURRENCY = "AM11"  # InvalidTransactionCurrency
    INVALID_AMOUNT = "AM12"  # InvalidAmount
    NOT_ALLOWED = "AG01"  # TransactionForbidden
    FILE_FORMAT = "FF01"  # InvalidFileFormat
    FRAUD = "FRAD"  # FraudulentOrigin
    REGULATORY = "RR04"  # RegulatoryReason
    NARRATIVE = "NARR"  # Narrative: the text says why
