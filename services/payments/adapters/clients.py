"""The calls payments makes to other services: screening by risk, and customer verification (KYC).

Fraud and compliance screening of a payment through the risk service, before money moves: one call
(TransactionScreeningService.ScreenTransaction) answers both. Whatever stops screening from finishing (risk
unreachable, a deadline, the circuit breaker open, an answer that cannot be used) yields `screening_skipped`: the
payment is then held for a person, never passed unscreened.

Is the customer allowed to pay? Asked of the customer service (KYC); positive answers are remembered in
`VerifiedCustomers` (adapters/verified_customers.py: a short TTL, revoked by the customer events), so a customer
who just passed KYC can pay at once, a blocked one is re-asked, and one whose KYC is revoked or who is erased
is refused as soon as this process has the event.
"""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import fraud_assessment_pb2 as fa
from fintech.risk.v1 import transaction_pb2 as t
from fintech.risk.v1 import transaction_screening_service_pb2 as ssvc
from fintech.risk.v1 import transaction_screening_service_pb2_grpc as ssvc_grpc

from services.payments.adapters.verified_customers import VerifiedCustomers
from services.payments.domain.screening import skipped
from services.runtime.clients import ServiceClient
from services.runtime.errors import DeadlineExceeded, DomainError, FailedPrecondition, Unavailable

log = structlog.get_logger("payments.screening")
TIMEOUT = 1.0

FRAUD_DECISIONS = {
    fa.FRAUD_DECISION_APPROVE: p.SCREENING_DECISION_APPROVE,
    fa.FRAUD_DECISION_REVIEW: p.SCREENING_DECISION_REVIEW,
    fa.FRAUD_DECISION_DECLINE: p.SCREENING_DECISION_DECLINE,
}
AML_DECISIONS = {
    aml.AML_DECISION_CLEAR: p.SCREENING_DECISION_APPROVE,
    aml.AML_DECISION_REVIEW: p.SCREENING_DECISION_REVIEW,
    aml.AML_DECISION_BLOCK: p.SCREENING_DECISION_DECLINE,
}


class RiskScreening:
    """Screens payments with TransactionScreeningService: fraud and AML in one call."""

    def __init__(self, risk: ServiceClient, timeout: float = TIMEOUT) -> None:
        self._risk = risk
        self._screening = risk.stub(ssvc_grpc.TransactionScreeningServiceStub)
        self._timeout = timeout

    async def screen(self, tx: t.Transaction) -> p.ScreeningOutcome:
        try:
            screened = await self._risk.call(
                self._screening.ScreenTransaction, ssvc.ScreenTransactionRequest(transaction=tx), timeout=self._timeout
            )
        except (DomainError, grpc.RpcError) as error:  # unreachable, deadline, open breaker, refused
            code = error.code() if isinstance(error, grpc.RpcError) else error.code
            log.warning("screening.skipped", why=code.name)
            return skipped()
        return outcome(screened.fraud_assessment, screened.aml_assessment)


def outcome(fraud: fa.FraudAssessment, compliance: aml.AmlAssessment) -> p.ScreeningOutcome:
    result = p.ScreeningOutcome(
        fraud_decision=FRAUD_DECISIONS.get(fraud.decision, p.SCREENING_DECISION_UNSPECIFIED),
        fraud_score=min(max(fraud.fraud_score, 0.0), 1.0),
        fraud_reason_codes=[fa.FraudReasonCode.Name(r.code).removeprefix("FRAUD_REASON_CODE_")
                            for r in fraud.reasons][:20],
        fraud_model_version=fraud.model.model_version[:64] if fraud.HasField("model") else "",
        compliance_decision=AML_DECISIONS.get(compliance.decision, p.SCREENING_DECISION_UNSPECIFIED),
        compliance_alert_codes=[aml.AmlRuleCode.Name(a.rule_code).removeprefix("AML_RULE_CODE_")
                                for a in compliance.alerts][:20],
    )  # fmt: skip
    result.screen_time.FromDatetime(datetime.now(UTC))
    return result


class CustomerVerification:
    def __init__(self, customer: ServiceClient, verified: VerifiedCustomers) -> None:
        self._client = customer
        self._stub = customer.stub(osvc_grpc.CustomerOnboardingServiceStub)
        self._verified = verified

    async def require_verified(self, customer_id: str) -> None:
        """FAILED_PRECONDITION (CUSTOMER_NOT_VERIFIED or CUSTOMER_ERASED) unless the customer may pay."""
        if self._verified.allowed(customer_id):
            return
        asked_at = self._verified.epoch  # a revocation applied while the call is out wins over its answer
        try:
            answer = await self._client.call(
                self._stub.RetrieveCustomerVerification,
                osvc.RetrieveCustomerVerificationRequest(customer_id=customer_id),
            )
        except grpc.RpcError as error:  # transient for the caller: nothing is kept for its idempotency key
            log.warning("verification.unanswered", why=error.code().name)
            unanswered = DeadlineExceeded if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED else Unavailable
            raise unanswered("the customer service did not answer", metadata={"dependency": "customer"}) from None
        if answer.erased:
            raise FailedPrecondition(
                f"customer {customer_id} was erased",
                reason=ErrorReason.ERROR_REASON_CUSTOMER_ERASED,
                metadata={"customer_id": customer_id},
            )
        if not answer.payments_allowed:
            raise FailedPrecondition(
                f"customer {customer_id} has not passed KYC verification",
                reason=ErrorReason.ERROR_REASON_CUSTOMER_NOT_VERIFIED,
                metadata={"customer_id": customer_id},
            )
        self._verified.grant(customer_id, asked_at)
