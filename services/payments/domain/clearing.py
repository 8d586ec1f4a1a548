"""The bank's own (INTERNAL) accounts: a clearing account per settlement participant and currency,
and the settlement account per currency at the central bank.

Their ids are derived from what they are (UUIDv5), so every process finds the same account without a
lookup table, and the first payment that needs one opens it (concurrent first uses are harmless:
services.payments.adapters.db.accounts.ensure_internal_account).
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c1d5e-3b0a-5d8e-9c4f-2a7b8e1d0c93")
# The bank's own customer record, holder of every internal account.
BANK_CUSTOMER_ID = uuid.uuid5(NAMESPACE, "bank")


def clearing_account_id(bic: str, currency_code: str) -> uuid.UUID:
    """The clearing account of a participant bank (BIC, 8-character form) in a currency."""
    return uuid.uuid5(NAMESPACE, f"clearing/{bic[:8]}/{currency_code}")


def settlement_account_id(currency_code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"settlement/{currency_code}")
