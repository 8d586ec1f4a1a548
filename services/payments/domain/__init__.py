"""Pure rules of payments: the payment aggregate, the ledger, clearing accounts, settlement, webhook signing."""
