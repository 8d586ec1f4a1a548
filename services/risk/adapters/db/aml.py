"""AML assessments: one row per payment, and the account's transactions the structuring rules look back on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import transaction_pb2 as txn
from sqlalchemy import Row, and_, bindparam, literal, select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditEntry, AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import aml_assessments, aml_transactions
from services.risk.app.ports import AmlLookup
from services.risk.domain.rules import PastTransaction
from services.runtime.db import Database

ACTION = "/fintech.risk.v1.RegulatoryComplianceService/EvaluateTransactionAml"
# One read for an AML evaluation: the stored assessment of the payment (a repeated call answers it) beside the
# account's transactions in the structuring window (a LEFT JOIN from one row: one row even without history).
_history = aml_transactions.c
STORED = (
    select(aml_assessments.c.body).where(aml_assessments.c.payment_id == bindparam("payment_id"))
    .scalar_subquery().label("aml_body")
)  # fmt: skip
WITH_HISTORY = select(literal(1)).subquery("one").outerjoin(aml_transactions, and_(
    _history.account_id == bindparam("account_id"), _history.transaction_time >= bindparam("since"),
    _history.transaction_time <= bindparam("until"),
))  # fmt: skip
LOOKUP = select(STORED, aml_transactions).select_from(WITH_HISTORY)


def lookup_parameters(t: txn.Transaction, since: datetime, until: datetime) -> dict[str, Any]:
    return {
        "payment_id": uuid.UUID(t.payment_id), "account_id": uuid.UUID(t.debtor_account_id),
        "since": since, "until": until,
    }  # fmt: skip


def lookup_of(rows: Sequence[Row[Any]]) -> AmlLookup:
    if rows[0].aml_body is not None:
        return AmlLookup(A.AmlAssessment.FromString(rows[0].aml_body), [])
    history = [
        PastTransaction(str(r.payment_id), r.amount_minor, r.transaction_type, r.direction, r.transaction_time)
        for r in rows
        if r.payment_id is not None  # the one row of an account without history has none
    ]
    return AmlLookup(None, history)


def record_of(assessment: A.AmlAssessment, amount_minor: int) -> store.Record:
    """The assessment's row, with the payment's row in the account's history."""
    t = assessment.transaction
    payment_id = uuid.UUID(t.payment_id)
    history = (aml_transactions, {
        "payment_id": payment_id, "customer_id": uuid.UUID(t.customer_id),
        "account_id": uuid.UUID(t.debtor_account_id), "amount_minor": amount_minor,
        "transaction_type": t.transaction_type, "direction": t.direction,
        "transaction_time": t.transaction_time.ToDatetime(tzinfo=UTC), "flagged": len(assessment.alerts),
    })  # fmt: skip
    return store.Record(aml_assessments, {
        "id": uuid.UUID(assessment.aml_assessment_id), "payment_id": payment_id,
        "customer_id": uuid.UUID(t.customer_id), "decision": assessment.decision,
        "evaluate_time": assessment.evaluate_time.ToDatetime(tzinfo=UTC), "body": assessment.SerializeToString(),
    }, along=history)  # fmt: skip


def audit_entry(assessment: A.AmlAssessment, actor: str) -> AuditEntry:
    t = assessment.transaction
    return AuditEntry(
        actor=actor, action=ACTION, resource_type="aml_assessment", subject=assessment.aml_assessment_id,
        customer_id=t.customer_id,
        details={"payment_id": t.payment_id, "decision": A.AmlDecision.Name(assessment.decision),
                 "alerts": ",".join(a.rule_id for a in assessment.alerts)},
    )  # fmt: skip


class AmlAssessmentStore:
    def __init__(self, database: Database, audit: AuditLog, source: str) -> None:
        self.database = database
        self.audit = audit
        self.source = source

    async def lookup(self, transaction: txn.Transaction, since: datetime, until: datetime) -> AmlLookup:
        return lookup_of(await store.read(self.database, LOOKUP, lookup_parameters(transaction, since, until)))

    async def record(self, assessment: A.AmlAssessment, amount_minor: int, actor: str) -> A.AmlAssessment | None:
        record = record_of(assessment, amount_minor)
        async with self.database.transaction() as session:
            stored = await store.insert_once(
                session, aml_assessments, A.AmlAssessment, "payment_id", record.values, along=record.along
            )
            if stored is not None:
                return stored
            await events.publish_all(session, events.aml_events(assessment, self.source))  # with its alerts
            await self.audit.record_all(session, [audit_entry(assessment, actor)])
        return None
