"""Use cases of payments: initiation, execution, review, position keeping, settlement, webhooks."""
