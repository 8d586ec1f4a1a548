"""The challenger fraud model's A/B test, decided by the `fraud-challenger-share` flag (flags/flags.flagd.json).

flagd's fractional targeting hashes the flag key with the payment id, so a payment (and every retry of it) gets
the same variant, and the flag's weights are the share of payments the challenger scores. The variant's value is
the model version to ask ml for (empty: the registry's production version). The flag is the one source of the
split: ml registers the challenger as CANARY at 0 %, so it serves only calls that name it.
"""

from __future__ import annotations

import re

import structlog
from fintech.risk.v1 import transaction_pb2 as txn

from services.risk.app.ports import ModelAssignment
from services.runtime import flags

log = structlog.get_logger("risk.experiment")
FLAG = "fraud-challenger-share"
VERSION = re.compile(r"^[1-9][0-9]{0,9}$")  # a registry version number (fintech.risk.v1.ModelReference)


class FlagExperiment:
    """app.ports.FraudExperiment over the service's flags."""

    def __init__(self, client: flags.Flags) -> None:
        self.flags = client

    def assign(self, transaction: txn.Transaction) -> ModelAssignment:
        ctx = flags.context(
            transaction.payment_id, payment_id=transaction.payment_id, customer_id=transaction.customer_id
        )
        found = self.flags.string(FLAG, "", ctx)  # safe default: production
        if found.value and not VERSION.match(found.value):  # a flag file mistake must not fail the payment
            log.warning("experiment.bad_version", flag=FLAG, variant=found.variant)
            return ModelAssignment(flags.DEFAULT_VARIANT, "")
        return ModelAssignment(found.variant, found.value)
