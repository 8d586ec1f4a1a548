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
from services.risk.app.ports import (
    FeatureSource,
    FraudAssessments,
    FraudExperiment,
    FraudFilter,
    FraudLookup,
    FraudModel,
    ModelAssignment,
    Page,
)
from services.risk.domain import rules
from services.risk.domain.fraud import amount_minor, counterparty_key, payment_of

# Counted once per payment, when its assessment is stored: the rules' decline and hold rates, and how often
# the rules decided alone because the model did not answer (tools/observability/rules.py alerts on each).
DECISIONS = Counter(
    "risk_fraud_decisions_total",
    "Fraud assessments stored, by decision (approve, review, decline) and whether the model was unavailable.",
    ["decision", "model_unavailable"],
)
# The challenger A/B test's outcomes (adapters/experiment.py): decisions per variant and the model version that
# scored (`none`: the rules decided alone), so approve/review/decline rates compare between the versions.
MODEL_DECISIONS = Counter(
    "risk_fraud_model_decisions_total",
    "Fraud assessments stored, by the challenger experiment's variant, the model version that scored and decision.",
    ["variant", "model_version", "decision"],
)
PRODUCTION = ModelAssignment("production", "")


def decision_name(assessment: FA.FraudAssessment) -> str:
    return FA.FraudDecision.Name(assessment.decision).removeprefix("FRAUD_DECISION_").lower()


def count_variant(assessment: FA.FraudAssessment, assignment: ModelAssignment) -> None:
    """Count a stored assessment's decision for its variant and the version that scored."""
    MODEL_DECISIONS.labels(
        assignment.variant, assessment.model.model_version or "none", decision_name(assessment)
    ).inc()


def count_decision(assessment: FA.FraudAssessment) -> None:
    """One stored assessment, by its decision: EvaluateTransactionFraud's and payments' screening alike."""
    DECISIONS.labels(decision_name(assessment), str(assessment.model_unavailable).lower()).inc()


class FraudEvaluation:
    def __init__(
        self,
        assessments: FraudAssessments,
        features: FeatureSource,
        model: FraudModel,
        settings: rules.RiskSettings,
        experiment: FraudExperiment | None = None,
    ) -> None:
        self.assessments = assessments
        self.features = features
        self.model = model
        self.settings = settings
        self.experiment = experiment

    async def evaluate(self, t: txn.Transaction, actor: str) -> FA.FraudAssessment:
        key = counterparty_key(t)
        # One read: a stored assessment (a repeated call answers it) and whether the counterparty is known.
        found = await self.assessments.lookup(t, key)
        if found.stored is not None:
            return found.stored
        assessment, assignment = await self.assess_assigned(t, key, found)
        stored = await self.assessments.record(assessment, key, actor)
        if stored is not None:
            return stored  # a concurrent call's assessment stands (and was counted)
        count_decision(assessment)
        count_variant(assessment, assignment)
        return assessment

    async def assess_assigned(
        self, t: txn.Transaction, key: str | None, found: FraudLookup
    ) -> tuple[FA.FraudAssessment, ModelAssignment]:
        """A new assessment by the model version the challenger experiment assigns the payment, and the assignment."""
        assignment = self.experiment.assign(t) if self.experiment else PRODUCTION
        return await self.assess(t, key, found, assignment.model_version), assignment

    async def assess(
        self, t: txn.Transaction, key: str | None, found: FraudLookup, model_version: str = ""
    ) -> FA.FraudAssessment:
        """A new assessment of the payment (features, model `model_version` or production's, rules), not stored
        yet; the assessment names the version that scored."""
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
        scored = await self.model.score_fraud(vector, t.payment_id, model_version)
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
