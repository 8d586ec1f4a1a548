"""Payments: initiation, execution, settlement, accounts and the ledger."""
