"""Screen a payment: its fraud evaluation and AML monitoring together, with one read and one transaction.

The decisions are those of FraudEvaluation and AmlMonitoring (the same features, model, rules and stored
records); what changes is the cost: the two separate calls each read and wrote on their own. Each assessment is
still one per payment, whichever call stored it first: a part already stored is answered as stored.
"""

from __future__ import annotations

from typing import TypeVar

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import transaction_pb2 as txn
from google.protobuf.message import Message

from services.risk.app.compliance import AmlMonitoring
from services.risk.app.fraud import FraudEvaluation, count_decision, count_variant
from services.risk.app.ports import TransactionScreenings
from services.risk.domain.fraud import amount_minor, counterparty_key

M = TypeVar("M", bound=Message)


class TransactionScreening:
    def __init__(self, screenings: TransactionScreenings, fraud: FraudEvaluation, aml: AmlMonitoring) -> None:
        self.screenings = screenings
        self.fraud = fraud
        self.aml = aml

    async def screen(self, t: txn.Transaction, actor: str) -> tuple[FA.FraudAssessment, A.AmlAssessment]:
        key = counterparty_key(t)
        found = await self.screenings.lookup(t, key, *self.aml.window(t))
        fraud, aml = found.fraud.stored, found.aml.stored
        if fraud is not None and aml is not None:  # a repeated call: the stored assessments stand
            return fraud, aml
        new_fraud, assignment = await self.fraud.assess_assigned(t, key, found.fraud) if fraud is None else (None, None)
        new_aml = self.aml.assess(t, found.aml.history) if aml is None else None
        stored_fraud, stored_aml = await self.screenings.record(new_fraud, key, new_aml, amount_minor(t), actor)
        if new_fraud is not None and stored_fraud is None:  # ours was stored: counted once, as evaluate() counts
            count_decision(new_fraud)
            if assignment is not None:
                count_variant(new_fraud, assignment)
        # For each part assessed now: the assessment a concurrent call stored first stands over ours.
        return (
            fraud or stored_fraud or _new(new_fraud),
            aml or stored_aml or _new(new_aml),
        )


def _new(assessment: M | None) -> M:
    if assessment is None:  # cannot happen: a part not stored was assessed just now
        raise RuntimeError("screening produced no assessment")
    return assessment
