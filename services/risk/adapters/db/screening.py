"""A payment's fraud and AML assessments read and stored together (TransactionScreeningService).

The rows, events and audit records are those FraudAssessmentStore and AmlAssessmentStore write, in fewer
statements: one read for both lookups, and one transaction of four statements for both assessments (their rows
with what they bring, in one statement; their events in one; the audit chain's lock; both audit records in one).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import transaction_pb2 as txn
from sqlalchemy import select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditEntry, AuditLog
from services.risk.adapters.db import aml, fraud, store
from services.risk.adapters.db.models import aml_assessments, aml_transactions, fraud_assessments
from services.risk.app.ports import ScreeningLookup
from services.runtime import outbox
from services.runtime.db import Database

# Both lookups in one statement: the fraud columns beside each row of the AML one (its LEFT JOIN from one row).
LOOKUP = select(fraud.STORED, fraud.SEEN, aml.STORED, aml_transactions).select_from(aml.WITH_HISTORY)


class TransactionScreeningStore:
    def __init__(self, database: Database, audit: AuditLog, source: str) -> None:
        self.database = database
        self.audit = audit
        self.source = source

    async def lookup(
        self, transaction: txn.Transaction, counterparty_key: str | None, since: datetime, until: datetime
    ) -> ScreeningLookup:
        parameters = fraud.lookup_parameters(transaction, counterparty_key)
        parameters |= aml.lookup_parameters(transaction, since, until)  # the same payment id
        rows = await store.read(self.database, LOOKUP, parameters)
        return ScreeningLookup(fraud.lookup_of(rows[0]), aml.lookup_of(rows))

    async def record(
        self,
        fraud_assessment: FA.FraudAssessment | None,
        counterparty_key: str | None,
        aml_assessment: A.AmlAssessment | None,
        amount_minor: int,
        actor: str,
    ) -> tuple[FA.FraudAssessment | None, A.AmlAssessment | None]:
        records = []
        if fraud_assessment is not None:
            records.append(fraud.record_of(fraud_assessment, counterparty_key))
        if aml_assessment is not None:
            records.append(aml.record_of(aml_assessment, amount_minor))
        if not records:
            return None, None
        async with self.database.transaction() as session:
            inserted = iter(await store.insert_each(session, records))
            envelopes, entries = [], list[AuditEntry]()
            stored_fraud: FA.FraudAssessment | None = None
            stored_aml: A.AmlAssessment | None = None
            if fraud_assessment is not None:
                if next(inserted):
                    envelopes.append(fraud.envelope(fraud_assessment, self.source))
                    entries.append(fraud.audit_entry(fraud_assessment, actor))
                else:  # a concurrent call stored the payment's assessment first
                    stored_fraud = await store.stored(
                        session, fraud_assessments, FA.FraudAssessment, "payment_id",
                        uuid.UUID(fraud_assessment.transaction.payment_id),
                    )  # fmt: skip
            if aml_assessment is not None:
                if next(inserted):
                    envelopes.extend(events.aml_events(aml_assessment, self.source))  # with its alerts
                    entries.append(aml.audit_entry(aml_assessment, actor))
                else:
                    stored_aml = await store.stored(
                        session, aml_assessments, A.AmlAssessment, "payment_id",
                        uuid.UUID(aml_assessment.transaction.payment_id),
                    )  # fmt: skip
            await outbox.add_events(session, envelopes)  # none: no statement
            await self.audit.record_all(session, entries)
        return stored_fraud, stored_aml
