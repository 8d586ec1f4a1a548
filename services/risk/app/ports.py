"""What the use cases need from outside: the feature store and the models (other services), the stores of what
risk decided, and the report generator. Adapters implement them (services/risk/adapters)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import audit_record_pb2, model_reference_pb2
from fintech.risk.v1 import credit_assessment_pb2 as C
from fintech.risk.v1 import fraud_assessment_pb2 as F
from fintech.risk.v1 import regulatory_report_pb2 as R
from fintech.risk.v1 import sanctions_screening_pb2 as S
from fintech.risk.v1 import transaction_pb2 as txn
from google.protobuf.message import Message

from services.risk.domain.rules import PastTransaction

# -- other services ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FraudScore:
    score: float  # clamped to [0, 1]
    model: model_reference_pb2.ModelReference
    latency: float  # seconds


@dataclass(frozen=True)
class CreditPrediction:
    probability_of_default: float  # clamped to [0, 1]
    contributions: dict[str, float]
    model: model_reference_pb2.ModelReference


class FeatureSource(Protocol):
    async def fraud_features(self, transaction: txn.Transaction) -> dict[str, float | None] | None:
        """The online features of the transaction's entities; None when the store cannot answer."""
        ...


class FraudModel(Protocol):
    async def score_fraud(
        self, inputs: Mapping[str, float], payment_id: str, model_version: str = ""
    ) -> FraudScore | None:
        """The fraud model's score (from `model_version`; empty: the version the registry routes to); None when the
        model is down (a refused call is raised)."""
        ...


@dataclass(frozen=True)
class ModelAssignment:
    """Which fraud model version scores a payment: the experiment's variant and the version it names."""

    variant: str  # production, challenger, or default (the flag's safe default stood in)
    model_version: str  # empty: the registry's production version


class FraudExperiment(Protocol):
    def assign(self, transaction: txn.Transaction) -> ModelAssignment:
        """The payment's variant of the challenger A/B test: the same payment always gets the same one."""
        ...


class CreditModel(Protocol):
    async def predict_credit(self, inputs: Mapping[str, float], customer_id: str) -> CreditPrediction:
        """The credit model's prediction; Unavailable when the model is down."""
        ...


# -- what risk stores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page of a list: the list request (its page_size, page_token and filters, which a token is bound to) and
    the caller the token is bound to."""

    request: Message
    caller: str


@dataclass(frozen=True)
class FraudLookup:
    stored: F.FraudAssessment | None  # a repeated call answers it
    counterparty_seen: bool


@dataclass(frozen=True)
class FraudFilter:
    decision: int = 0
    customer_id: str = ""
    payment_id: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None


class FraudAssessments(Protocol):
    async def lookup(self, transaction: txn.Transaction, counterparty_key: str | None) -> FraudLookup: ...

    async def record(
        self, assessment: F.FraudAssessment, counterparty_key: str | None, actor: str
    ) -> F.FraudAssessment | None:
        """Store the assessment, its event and audit record; None when stored, else the one a concurrent call
        stored first for the payment."""
        ...

    async def retrieve(self, fraud_assessment_id: str) -> F.FraudAssessment: ...

    async def page(self, filters: FraudFilter, page: Page) -> tuple[list[F.FraudAssessment], str]: ...


@dataclass(frozen=True)
class StoredCredit:
    assessment: C.CreditAssessment
    fingerprint: str  # of the application it assessed


class CreditAssessments(Protocol):
    async def stored(self, request_id: uuid.UUID) -> StoredCredit | None: ...

    async def record(
        self, request_id: uuid.UUID, assessment: C.CreditAssessment, fingerprint: str, actor: str
    ) -> C.CreditAssessment | None:
        """None when stored, else the assessment a concurrent call with the same request id stored first."""
        ...

    async def retrieve(self, credit_assessment_id: str) -> C.CreditAssessment: ...


class Screenings(Protocol):
    async def stored(self, request_id: uuid.UUID) -> S.SanctionsScreening | None: ...

    async def record(
        self, request_id: uuid.UUID, screening: S.SanctionsScreening, actor: str
    ) -> S.SanctionsScreening | None:
        """None when stored, else the screening a concurrent request stored first (its party opened)."""
        ...


@dataclass(frozen=True)
class AmlLookup:
    stored: A.AmlAssessment | None  # a repeated call answers it
    history: Sequence[PastTransaction]  # the account's transactions in the structuring window


class AmlAssessments(Protocol):
    async def lookup(self, transaction: txn.Transaction, since: datetime, until: datetime) -> AmlLookup: ...

    async def record(self, assessment: A.AmlAssessment, amount_minor: int, actor: str) -> A.AmlAssessment | None:
        """Store the assessment (and the payment in the account's history), its events and audit record; None
        when stored, else the one a concurrent call stored first."""
        ...


@dataclass(frozen=True)
class ScreeningLookup:
    """What one read tells of a payment to screen: its stored assessments and what the rules need."""

    fraud: FraudLookup
    aml: AmlLookup


class TransactionScreenings(Protocol):
    """Fraud and AML assessments of a payment read, and stored, together."""

    async def lookup(
        self, transaction: txn.Transaction, counterparty_key: str | None, since: datetime, until: datetime
    ) -> ScreeningLookup: ...

    async def record(
        self,
        fraud: F.FraudAssessment | None,
        counterparty_key: str | None,
        aml: A.AmlAssessment | None,
        amount_minor: int,
        actor: str,
    ) -> tuple[F.FraudAssessment | None, A.AmlAssessment | None]:
        """Store the new assessments given (None: nothing to store), their events and audit records in one
        transaction; for each, None when stored, else the one a concurrent call stored first for the payment."""
        ...


class Reports(Protocol):
    async def find(self, request_id: uuid.UUID) -> R.RegulatoryReport | None: ...

    async def record(self, request_id: uuid.UUID, report: R.RegulatoryReport, actor: str) -> R.RegulatoryReport | None:
        """None when stored, else the report a concurrent request stored first."""
        ...

    async def retrieve(self, regulatory_report_id: str) -> R.RegulatoryReport: ...

    async def page(self, state: int, page: Page) -> tuple[list[R.RegulatoryReport], str]: ...


class ReportQueue(Protocol):
    def wake(self) -> None:
        """Start generating the PENDING reports now."""
        ...


@dataclass(frozen=True)
class AuditFilter:
    start_time: datetime | None = None
    end_time: datetime | None = None
    subject: str = ""
    actor: str = ""
    customer_id: str = ""
    outcome: int = 0


class AuditTrail(Protocol):
    async def retrieve(self, audit_record_id: str) -> audit_record_pb2.AuditRecord: ...

    async def page(self, filters: AuditFilter, page: Page) -> tuple[list[audit_record_pb2.AuditRecord], str]: ...
