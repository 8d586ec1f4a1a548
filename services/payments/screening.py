"""Fraud and compliance screening of a payment through the risk service, before money moves.

Both checks run at once. Whatever stops screening from finishing (risk unreachable, a deadline,
the circuit breaker open, an answer that cannot be used) yields `screening_skipped`: the payment is
then held for a person, never passed unscreened.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import grpc
import structlog
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import fraud_assessment_pb2 as fa
from fintech.risk.v1 import fraud_detection_service_pb2 as fsvc
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fsvc_grpc
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rsvc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rsvc_grpc
from fintech.risk.v1 import transaction_pb2 as t

from services.runtime.clients import ServiceClient
from services.runtime.errors import DomainError

log = structlog.get_logger("payments.screening")
TIMEOUT = 1.0

CHANNELS = {
    p.PAYMENT_CHANNEL_MOBILE_APP: t.TRANSACTION_CHANNEL_MOBILE_APP,
    p.PAYMENT_CHANNEL_WEB: t.TRANSACTION_CHANNEL_WEB,
    p.PAYMENT_CHANNEL_OPEN_BANKING_API: t.TRANSACTION_CHANNEL_OPEN_BANKING_API,
    p.PAYMENT_CHANNEL_BRANCH: t.TRANSACTION_CHANNEL_BRANCH,
    p.PAYMENT_CHANNEL_BACK_OFFICE: t.TRANSACTION_CHANNEL_SCHEDULED,
}
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


def transaction(
    payment: p.Payment,
    *,
    remittance: str = "",
    creditor: p.ExternalAccount | None = None,
    fingerprint: p.ClientFingerprint | None = None,
) -> t.Transaction:
    """The risk service's view of a payment (with the personal data it needs, in memory only)."""
    tx = t.Transaction(
        payment_id=payment.payment_id,
        customer_id=payment.customer_id,
        debtor_account_id=payment.debtor_account_id,
        creditor_account_id=payment.creditor_account_id,
        amount=payment.amount,
        transaction_type=t.TRANSACTION_TYPE_INTERNAL_TRANSFER
        if payment.creditor_account_id
        else t.TRANSACTION_TYPE_CREDIT_TRANSFER,
        direction=t.TRANSACTION_DIRECTION_OUTGOING,
        channel=CHANNELS.get(payment.channel, t.TRANSACTION_CHANNEL_WEB),
        transaction_time=payment.create_time,
        remittance_information=remittance,
    )
    if payment.creditor_account_id:
        tx.counterparty.counterparty_id = payment.creditor_account_id
    elif creditor is not None:
        tx.counterparty.name = creditor.holder_name
        tx.counterparty.account_number = creditor.iban
        tx.counterparty.bank_identifier_code = creditor.bic
        tx.counterparty.country_code = creditor.iban[:2]
    if fingerprint is not None:
        tx.device.device_id = fingerprint.device_id
        tx.device.ip_address = fingerprint.ip_address
        tx.device.user_agent = fingerprint.user_agent
    return tx


def skipped(why: str) -> p.ScreeningOutcome:
    outcome = p.ScreeningOutcome(screening_skipped=True)
    outcome.screen_time.FromDatetime(datetime.now(UTC))
    log.warning("screening.skipped", why=why)
    return outcome


class RiskScreening:
    """Screens payments with FraudDetectionService and RegulatoryComplianceService."""

    def __init__(self, risk: ServiceClient, timeout: float = TIMEOUT) -> None:
        self._risk = risk
        self._fraud = risk.stub(fsvc_grpc.FraudDetectionServiceStub)
        self._compliance = risk.stub(rsvc_grpc.RegulatoryComplianceServiceStub)
        self._timeout = timeout

    async def screen(self, tx: t.Transaction) -> p.ScreeningOutcome:
        try:
            fraud, compliance = await asyncio.gather(
                self._risk.call(self._fraud.EvaluateTransactionFraud,
                                fsvc.EvaluateTransactionFraudRequest(transaction=tx), timeout=self._timeout),
                self._risk.call(self._compliance.EvaluateTransactionAml,
                                rsvc.EvaluateTransactionAmlRequest(transaction=tx), timeout=self._timeout),
            )  # fmt: skip
        except (DomainError, grpc.RpcError) as error:  # unreachable, deadline, open breaker, refused
            code = error.code() if isinstance(error, grpc.RpcError) else error.code
            return skipped(code.name)
        return outcome(fraud.fraud_assessment, compliance.aml_assessment)


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
