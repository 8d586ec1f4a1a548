"""Evaluate a payment for fraud: lookup -> online features -> the fraud model -> the rules -> one stored
assessment per payment (a repeated or concurrent call answers the stored one)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import transaction_pb2 as txn
from prometheus_client import Counter

from libs.featurespec.model_inputs import fraud_inputs
from services.risk.app.ports import FeatureSource, FraudAssessments, FraudFilter, FraudLookup, FraudModel, Page
from services.risk.domain import rules
from services.risk.domain.fraud import amount_minor, counterparty_key, payment_of

# Counted once per payment, when its assessment is stored: the rules' decline and hold rates, and how often
# the rules decided alone because the model did not answer (tools/observability/rules.py alerts on each).
DECISIONS = Counter(
    "risk_fraud_decisions_total",
    "Fraud assessments stored, by decision (approve, review, decline) and whether the model was unavailable.",
    ["decision", "model_unavailable"],
)


def count_decision(assessment: FA.FraudAssessment) -> None:
    """One stored assessment, by its decision: EvaluateTransactionFraud's and payments' screening alike."""
    decision = FA.FraudDecision.Name(assessment.decision).removeprefix("FRAUD_DECISION_").lower()
    DECISIONS.labels(decision, str(assessment.model_unavailable).lower()).inc()


class FraudEvaluation:
    def __init__(
        self,
        assessments: FraudAssessments,
        features: FeatureSource,
        model: FraudModel,
        settings: rules.RiskSettings,
    ) -> None:
        self.assessments = assessments
        self.features = features
        self.model = model
        self.settings = settings

    async def evaluate(self, t: txn.Transaction, actor: str) -> FA.FraudAssessment:
        key = counterparty_key(t)
        # One read: a stored assessment (a repeated call answers it) and whether the counterparty is known.
        found = await self.assessments.lookup(t, key)
        if found.stored is not None:
            return found.stored
        assessment = await self.assess(t, key, found)
        stored = await self.assessments.record(assessment, key, actor)
        if stored is not None:
            return stored  # a concurrent call's assessment stands (and was counted)
        count_decision(assessment)
        return assessment

    async def assess(self, t: txn.Transaction, key: str | None, found: FraudLookup) -> FA.FraudAssessment:
        """A new assessment of the payment (features, model, rules), not stored yet."""
        started = time.perf_counter()
        new_counterparty = not (key is None or found.counterparty_seen)
        features = await self.features.fraud_features(t)
        settings = self.settings
        hits = rules.fraud_rules(features or {}, amount_minor(t), new_counterparty, settings)
        if features is None:
            hits.append(rules.RuleHit(
                "features.unavailable", "The behavioural features could not be read", rules.REVIEW,
                FA.FRAUD_REASON_CODE_UNSPECIFIED, "feature store unavailable: velocity and habit not checked",
            ))  # fmt: skip
        vector = fraud_inputs(payment_of(t, new_counterparty), features or {})
        scored = await self.model.score_fraud(vector, t.payment_id)
        score = scored.score if scored else None
        decision = rules.fraud_decision(score, hits, settings)

        assessment = FA.FraudAssessment(
            fraud_assessment_id=str(uuid.uuid4()), transaction=t, fraud_score=score or 0.0, decision=decision,
            model_unavailable=scored is None, rule_set_version=rules.FRAUD_RULE_SET_VERSION,
            review_threshold=settings.fraud_review_threshold, decline_threshold=settings.fraud_decline_threshold,
            features=vector,
        )  # fmt: skip
        if scored:
            assessment.model.CopyFrom(scored.model)
            assessment.inference_latency.FromTimedelta(timedelta(seconds=scored.latency))
        for hit in sorted(hits, key=lambda h: -h.decision):
            assessment.fired_rules.add(rule_id=hit.rule_id, description=hit.description, decision=hit.decision)
            if hit.reason:
                assessment.reasons.add(
                    code=hit.reason, description=hit.explanation, contributing_values=hit.values, contribution=1.0
                )
        if score is not None and score >= settings.fraud_review_threshold:
            assessment.reasons.add(
                code=FA.FRAUD_REASON_CODE_MODEL_SCORE_HIGH, description=f"fraud model score {score:.3f}",
                contributing_values={"fraud_score": f"{score:.4f}"}, contribution=score,
            )  # fmt: skip
        assessment.evaluate_time.FromDatetime(datetime.now(UTC))
        assessment.latency.FromTimedelta(timedelta(seconds=time.perf_counter() - started))
        return assessment

    async def retrieve(self, fraud_assessment_id: str) -> FA.FraudAssessment:
        return await self.assessments.retrieve(fraud_assessment_id)

    async def list(self, filters: FraudFilter, page: Page) -> tuple[list[FA.FraudAssessment], str]:
        return await self.assessments.page(filters, page)
