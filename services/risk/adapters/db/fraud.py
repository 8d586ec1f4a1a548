"""Fraud assessments: one row per payment (its message in `body`) and the customer's known counterparties."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from fintech.common.v1 import event_envelope_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import transaction_pb2 as txn
from sqlalchemy import Row, bindparam, exists, select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditEntry, AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import FraudAssessmentRow, fraud_assessments, known_counterparties
from services.risk.app.ports import FraudFilter, FraudLookup, Page
from services.runtime import outbox
from services.runtime.db import Database

ACTION = "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud"
_fa, _known = fraud_assessments.c, known_counterparties.c
# The lookup's columns: the payment's stored assessment and whether the customer paid the counterparty before.
STORED = select(_fa.body).where(_fa.payment_id == bindparam("payment_id")).scalar_subquery().label("fraud_body")
SEEN = (
    exists()
    .where(_known.customer_id == bindparam("customer_id"), _known.counterparty_key == bindparam("counterparty_key"))
    .label("seen")
)
LOOKUP = select(STORED, SEEN)


def lookup_parameters(t: txn.Transaction, counterparty_key: str | None) -> dict[str, Any]:
    return {
        "payment_id": uuid.UUID(t.payment_id), "customer_id": uuid.UUID(t.customer_id),
        "counterparty_key": counterparty_key,
    }  # fmt: skip


def lookup_of(row: Row[Any]) -> FraudLookup:
    stored = FA.FraudAssessment.FromString(row.fraud_body) if row.fraud_body is not None else None
    return FraudLookup(stored, bool(row.seen))


def record_of(assessment: FA.FraudAssessment, counterparty_key: str | None) -> store.Record:
    """The assessment's row, with the counterparty it makes known."""
    t = assessment.transaction
    now = assessment.evaluate_time.ToDatetime(tzinfo=UTC)
    known = (known_counterparties, {
        "customer_id": uuid.UUID(t.customer_id), "counterparty_key": counterparty_key, "first_seen": now,
    })  # fmt: skip
    return store.Record(fraud_assessments, {
        "id": uuid.UUID(assessment.fraud_assessment_id), "payment_id": uuid.UUID(t.payment_id),
        "customer_id": uuid.UUID(t.customer_id), "decision": assessment.decision, "evaluate_time": now,
        "body": assessment.SerializeToString(),
    }, along=known if counterparty_key is not None else None)  # fmt: skip


def envelope(assessment: FA.FraudAssessment, source: str) -> event_envelope_pb2.EventEnvelope:
    """FraudEvaluated, for the outbox."""
    event = events.fraud_evaluated(assessment)
    return outbox.wrap(event, subject=assessment.fraud_assessment_id, sequence=1, source=source)


def audit_entry(assessment: FA.FraudAssessment, actor: str) -> AuditEntry:
    t = assessment.transaction
    return AuditEntry(
        actor=actor, action=ACTION, resource_type="fraud_assessment", subject=assessment.fraud_assessment_id,
        customer_id=t.customer_id,
        details={
            "payment_id": t.payment_id, "decision": FA.FraudDecision.Name(assessment.decision),
            "fraud_score": f"{assessment.fraud_score:.4f}", "model_unavailable": assessment.model_unavailable,
            "fired_rules": ",".join(r.rule_id for r in assessment.fired_rules),
        },
    )  # fmt: skip


class FraudAssessmentStore:
    def __init__(self, database: Database, audit: AuditLog, source: str, page_key: bytes) -> None:
        self.database = database
        self.audit = audit
        self.source = source
        self.page_key = page_key

    async def lookup(self, transaction: txn.Transaction, counterparty_key: str | None) -> FraudLookup:
        (row,) = await store.read(self.database, LOOKUP, lookup_parameters(transaction, counterparty_key))
        return lookup_of(row)

    async def record(
        self, assessment: FA.FraudAssessment, counterparty_key: str | None, actor: str
    ) -> FA.FraudAssessment | None:
        record = record_of(assessment, counterparty_key)
        async with self.database.transaction() as session:
            stored = await store.insert_once(
                session, fraud_assessments, FA.FraudAssessment, "payment_id", record.values, along=record.along
            )
            if stored is not None:
                return stored
            await outbox.add_events(session, [envelope(assessment, self.source)])
            await self.audit.record_all(session, [audit_entry(assessment, actor)])
        return None

    async def retrieve(self, fraud_assessment_id: str) -> FA.FraudAssessment:
        return await store.retrieve(
            self.database, fraud_assessments, FA.FraudAssessment, "fraud assessment", fraud_assessment_id
        )

    async def page(self, filters: FraudFilter, page: Page) -> tuple[list[FA.FraudAssessment], str]:
        column = fraud_assessments.c
        query = select(FraudAssessmentRow)
        if filters.decision:
            query = query.where(column.decision == filters.decision)
        if filters.customer_id:
            query = query.where(column.customer_id == uuid.UUID(filters.customer_id))
        if filters.payment_id:
            query = query.where(column.payment_id == uuid.UUID(filters.payment_id))
        if filters.start_time is not None:
            query = query.where(column.evaluate_time >= filters.start_time)
        if filters.end_time is not None:
            query = query.where(column.evaluate_time < filters.end_time)
        rows, token = await store.keyset_page(
            self.database, query, (column.evaluate_time, column.id), page, self.page_key, descending=True
        )
        return [FA.FraudAssessment.FromString(r.body) for r in rows], token
