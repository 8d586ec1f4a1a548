"""AML assessments: one row per payment, and the account's transactions the structuring rules look back on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import transaction_pb2 as txn
from sqlalchemy import and_, bindparam, literal, select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import aml_assessments, aml_transactions
from services.risk.app.ports import AmlLookup
from services.risk.domain.rules import PastTransaction
from services.runtime.db import Database

ACTION = "/fintech.risk.v1.RegulatoryComplianceService/EvaluateTransactionAml"
# One read for an AML evaluation: the stored assessment of the payment (a repeated call answers it) beside the
# account's transactions in the structuring window (a LEFT JOIN from one row: one row even without history).
_history = aml_transactions.c
LOOKUP = select(
    select(aml_assessments.c.body).where(aml_assessments.c.payment_id == bindparam("payment_id"))
    .scalar_subquery().label("stored"),
    aml_transactions,
).select_from(
    select(literal(1)).subquery("one").outerjoin(aml_transactions, and_(
        _history.account_id == bindparam("account_id"), _history.transaction_time >= bindparam("since"),
        _history.transaction_time <= bindparam("until"),
    ))
)  # fmt: skip


class AmlAssessmentStore:
    def __init__(self, database: Database, audit: AuditLog, source: str) -> None:
        self.database = database
        self.audit = audit
        self.source = source

    async def lookup(self, transaction: txn.Transaction, since: datetime, until: datetime) -> AmlLookup:
        rows = await store.read(self.database, LOOKUP, {
            "payment_id": uuid.UUID(transaction.payment_id), "account_id": uuid.UUID(transaction.debtor_account_id),
            "since": since, "until": until,
        })  # fmt: skip
        if rows[0].stored is not None:
            return AmlLookup(A.AmlAssessment.FromString(rows[0].stored), [])
        history = [
            PastTransaction(str(r.payment_id), r.amount_minor, r.transaction_type, r.direction, r.transaction_time)
            for r in rows
            if r.payment_id is not None  # the one row of an account without history has none
        ]
        return AmlLookup(None, history)

    async def record(self, assessment: A.AmlAssessment, amount_minor: int, actor: str) -> A.AmlAssessment | None:
        t = assessment.transaction
        payment_id = uuid.UUID(t.payment_id)
        now = assessment.evaluate_time.ToDatetime(tzinfo=UTC)
        async with self.database.transaction() as session:
            history_row = (aml_transactions, {
                "payment_id": payment_id, "customer_id": uuid.UUID(t.customer_id),
                "account_id": uuid.UUID(t.debtor_account_id), "amount_minor": amount_minor,
                "transaction_type": t.transaction_type, "direction": t.direction,
                "transaction_time": t.transaction_time.ToDatetime(tzinfo=UTC), "flagged": len(assessment.alerts),
            })  # fmt: skip
            stored = await store.insert_once(session, aml_assessments, A.AmlAssessment, "payment_id", {
                "id": uuid.UUID(assessment.aml_assessment_id), "payment_id": payment_id,
                "customer_id": uuid.UUID(t.customer_id), "decision": assessment.decision, "evaluate_time": now,
                "body": assessment.SerializeToString(),
            }, along=history_row)  # fmt: skip
            if stored is not None:
                return stored
            await events.publish_all(session, events.aml_events(assessment, self.source))  # with its alerts
            await self.audit.record(
                session, actor=actor, action=ACTION, resource_type="aml_assessment",
                subject=assessment.aml_assessment_id, customer_id=t.customer_id,
                details={"payment_id": t.payment_id, "decision": A.AmlDecision.Name(assessment.decision),
                         "alerts": ",".join(a.rule_id for a in assessment.alerts)},
            )  # fmt: skip
        return None
