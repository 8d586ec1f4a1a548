"""Credit assessments: one row per request id, with the fingerprint of the application it assessed."""

from __future__ import annotations

import uuid
from datetime import UTC

from fintech.risk.v1 import credit_assessment_pb2 as C
from sqlalchemy import select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import credit_assessments
from services.risk.app.ports import StoredCredit
from services.runtime.db import Database

ACTION = "/fintech.risk.v1.CreditRiskAssessmentService/EvaluateCreditRisk"


class CreditAssessmentStore:
    def __init__(self, database: Database, audit: AuditLog, source: str) -> None:
        self.database = database
        self.audit = audit
        self.source = source

    async def stored(self, request_id: uuid.UUID) -> StoredCredit | None:
        column = credit_assessments.c
        async with self.database.session() as session:
            query = select(column.body, column.fingerprint).where(column.request_id == request_id)
            row = (await session.execute(query)).first()
        return None if row is None else StoredCredit(C.CreditAssessment.FromString(row.body), row.fingerprint)

    async def record(
        self, request_id: uuid.UUID, assessment: C.CreditAssessment, fingerprint: str, actor: str
    ) -> C.CreditAssessment | None:
        customer_id = assessment.application.customer_id
        async with self.database.transaction() as session:
            stored = await store.insert_once(session, credit_assessments, C.CreditAssessment, "request_id", {
                "id": uuid.UUID(assessment.credit_assessment_id), "request_id": request_id,
                "customer_id": uuid.UUID(customer_id), "decision": assessment.decision,
                "evaluate_time": assessment.evaluate_time.ToDatetime(tzinfo=UTC),
                "body": assessment.SerializeToString(), "fingerprint": fingerprint,
            })  # fmt: skip
            if stored is not None:
                return stored
            await events.publish(
                session, events.credit_risk_evaluated(assessment), subject=assessment.credit_assessment_id,
                sequence=1, source=self.source,
            )  # fmt: skip
            await self.audit.record(
                session, actor=actor, action=ACTION, resource_type="credit_assessment",
                subject=assessment.credit_assessment_id, customer_id=customer_id,
                details={"decision": C.CreditDecision.Name(assessment.decision),
                         "grade": C.CreditGrade.Name(assessment.grade),
                         "probability_of_default": f"{assessment.probability_of_default:.4f}",
                         "model_version": assessment.model.model_version},
            )  # fmt: skip
        return None

    async def retrieve(self, credit_assessment_id: str) -> C.CreditAssessment:
        return await store.retrieve(
            self.database, credit_assessments, C.CreditAssessment, "credit assessment", credit_assessment_id
        )
