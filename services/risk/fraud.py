"""FraudDetectionService: online features + the fraud model + the rules, one stored assessment per payment."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import structlog
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.ml.v1 import feature_value_pb2 as ml_values
from fintech.ml.v1 import model_serving_service_pb2, model_serving_service_pb2_grpc
from fintech.risk.v1 import (
    events_pb2,
    fraud_assessment_pb2,
    fraud_detection_service_pb2,
    fraud_detection_service_pb2_grpc,
    model_reference_pb2,
)
from fintech.risk.v1 import transaction_pb2 as txn
from sqlalchemy import bindparam, exists, select

from libs.featurespec.definitions import FRAUD_VIEW, reading_number
from libs.featurespec.model_inputs import Payment, fraud_inputs
from services.risk import rules, store
from services.risk.common import model_down, page, record_audit
from services.risk.keys import page_token_key
from services.risk.models import FraudAssessmentRow, fraud_assessments, known_counterparties
from services.runtime import outbox
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)
pb = fraud_detection_service_pb2
FA = fraud_assessment_pb2
ACTION = "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud"
_fa, _known = fraud_assessments.c, known_counterparties.c
LOOKUP = select(
    select(_fa.body).where(_fa.payment_id == bindparam("payment_id")).scalar_subquery().label("body"),
    exists().where(_known.customer_id == bindparam("customer_id"),
                   _known.counterparty_key == bindparam("counterparty_key")).label("seen"),
)  # fmt: skip


def counterparty_key(t: txn.Transaction) -> str | None:
    if t.creditor_account_id:
        return f"account:{t.creditor_account_id}"
    if t.counterparty.counterparty_id:
        return f"counterparty:{t.counterparty.counterparty_id}"
    if t.counterparty.account_number:
        return f"iban:{t.counterparty.account_number}"
    return None


def amount_minor(t: txn.Transaction) -> int:
    return t.reporting_amount.amount_minor if t.HasField("reporting_amount") else t.amount.amount_minor


def payment_of(t: txn.Transaction, new_counterparty: bool) -> Payment:
    """What the fraud model reads of the transaction itself."""
    initiated = t.transaction_time.ToDatetime(tzinfo=UTC) if t.HasField("transaction_time") else datetime.now(UTC)
    return Payment(initiated.timestamp(), amount_minor(t), new_counterparty)


class FraudDetection(fraud_detection_service_pb2_grpc.FraudDetectionServiceServicer):
    def __init__(self, database: Database, settings: Settings, features: ServiceClient, ml: ServiceClient) -> None:
        self.database = database
        self.settings = settings
        self.features = features
        self.ml = ml
        self.source = settings.spiffe_id("risk")
        self.page_key = page_token_key(settings)

    async def _features(self, t: txn.Transaction) -> dict[str, float | None] | None:
        """The store's values as of now. Training takes them as of the payment, before it; the payments service
        publishes the payment's own PaymentInitiated after the commit that precedes this call, so it is
        normally not yet counted (when the pipeline was faster, the counts include it: a skew toward caution)."""
        entities = [
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_CUSTOMER, entity_id=t.customer_id),
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_ACCOUNT, entity_id=t.debtor_account_id),
        ]
        if t.creditor_account_id:
            entities.append(
                entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_MERCHANT, entity_id=t.creditor_account_id)
            )
        request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(entities=entities, feature_view=FRAUD_VIEW)
        stub = self.features.stub(feature_store_service_pb2_grpc.FeatureStoreServiceStub)
        try:
            response = await self.features.call(stub.RetrieveOnlineFeatures, request, timeout=0.5)
        except (grpc.aio.AioRpcError, Exception) as error:  # noqa: BLE001 - any failure: the rules say REVIEW
            log.warning("features unavailable", error=safe_error(error))
            return None
        return {r.feature_name: reading_number(r) for entity in response.entities for r in entity.readings}

    async def _score(self, vector: dict[str, float], t: txn.Transaction):
        """(score, model reference, inference latency) or None when the model cannot answer."""
        request = model_serving_service_pb2.PredictRequest(
            model_name="fraud", request_id=str(uuid.uuid4()),
            priority=model_serving_service_pb2.INFERENCE_PRIORITY_REALTIME,
        )  # fmt: skip
        instance = request.instances.add(entity_id=t.payment_id)
        for name, value in vector.items():
            instance.features[name].CopyFrom(ml_values.FeatureValue(double_value=value))
        request.timeout.FromTimedelta(timedelta(seconds=self.settings.risk.fraud_model_timeout))
        stub = self.ml.stub(model_serving_service_pb2_grpc.ModelServingServiceStub)
        started = time.perf_counter()
        try:
            response = await self.ml.call(stub.Predict, request, timeout=self.settings.risk.fraud_model_timeout)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if not model_down(error):  # e.g. INVALID_ARGUMENT: the inputs do not match the model: a bug
                log.error("the ml service refused the fraud model call", error=safe_error(error))
                raise
            log.warning("fraud model unavailable, rules decide alone", error=safe_error(error))
            return None
        latency = time.perf_counter() - started
        prediction = response.predictions[0]
        reference = model_reference_pb2.ModelReference(
            model_name=response.model_name or "fraud", model_version=response.model_version
        )
        return min(max(prediction.score, 0.0), 1.0), reference, latency

    async def EvaluateTransactionFraud(self, request, context: grpc.aio.ServicerContext):
        t = request.transaction
        key = counterparty_key(t)
        # One read: a stored assessment (a repeated call answers it) and whether the counterparty is known.
        (row,) = await store.read(self.database, LOOKUP, {
            "payment_id": uuid.UUID(t.payment_id), "customer_id": uuid.UUID(t.customer_id), "counterparty_key": key,
        })  # fmt: skip
        if row.body is not None:
            return pb.EvaluateTransactionFraudResponse(fraud_assessment=FA.FraudAssessment.FromString(row.body))
        started = time.perf_counter()
        seen = key is None or row.seen
        new_counterparty = not seen
        features = await self._features(t)
        settings = self.settings.risk
        hits = rules.fraud_rules(features or {}, amount_minor(t), new_counterparty, settings)
        if features is None:
            hits.append(rules.RuleHit(
                "features.unavailable", "The behavioural features could not be read", rules.REVIEW,
                FA.FRAUD_REASON_CODE_UNSPECIFIED, "feature store unavailable: velocity and habit not checked",
            ))  # fmt: skip
        vector = fraud_inputs(payment_of(t, new_counterparty), features or {})
        scored = await self._score(vector, t)
        score = scored[0] if scored else None
        decision = rules.fraud_decision(score, hits, settings)

        assessment = FA.FraudAssessment(
            fraud_assessment_id=str(uuid.uuid4()), transaction=t, fraud_score=score or 0.0, decision=decision,
            model_unavailable=scored is None, rule_set_version=rules.FRAUD_RULE_SET_VERSION,
            review_threshold=settings.fraud_review_threshold, decline_threshold=settings.fraud_decline_threshold,
            features=vector,
        )  # fmt: skip
        if scored:
            assessment.model.CopyFrom(scored[1])
            assessment.inference_latency.FromTimedelta(timedelta(seconds=scored[2]))
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
        now = datetime.now(UTC)
        assessment.evaluate_time.FromDatetime(now)
        assessment.latency.FromTimedelta(timedelta(seconds=time.perf_counter() - started))

        async with self.database.transaction() as session:
            counterparty = (known_counterparties, {"customer_id": uuid.UUID(t.customer_id), "counterparty_key": key,
                                                   "first_seen": now})  # fmt: skip
            stored = await store.insert_once(session, fraud_assessments, FA.FraudAssessment, "payment_id", {
                "id": uuid.UUID(assessment.fraud_assessment_id), "payment_id": uuid.UUID(t.payment_id),
                "customer_id": uuid.UUID(t.customer_id), "decision": decision, "evaluate_time": now,
                "body": assessment.SerializeToString(),
            }, along=counterparty if key is not None else None)  # fmt: skip
            if stored is not None:  # a concurrent call for the same payment won: its assessment stands
                return pb.EvaluateTransactionFraudResponse(fraud_assessment=stored)
            event = events_pb2.FraudEvaluated(
                fraud_assessment_id=assessment.fraud_assessment_id, payment_id=t.payment_id, customer_id=t.customer_id,
                fraud_score=assessment.fraud_score, decision=decision,
                reason_codes=[r.code for r in assessment.reasons],
                fired_rule_ids=[r.rule_id for r in assessment.fired_rules],
                model_unavailable=assessment.model_unavailable,
                rule_set_version=assessment.rule_set_version, evaluate_time=assessment.evaluate_time,
            )  # fmt: skip
            if scored:
                event.model.CopyFrom(assessment.model)
            await outbox.record(session, event, subject=assessment.fraud_assessment_id, sequence=1, source=self.source)
            await record_audit(
                session, context, self.settings, action=ACTION, resource_type="fraud_assessment",
                subject=assessment.fraud_assessment_id, customer_id=t.customer_id,
                details={
                    "payment_id": t.payment_id, "decision": FA.FraudDecision.Name(decision),
                    "fraud_score": f"{assessment.fraud_score:.4f}", "model_unavailable": assessment.model_unavailable,
                    "fired_rules": ",".join(r.rule_id for r in assessment.fired_rules),
                },
            )  # fmt: skip
        return pb.EvaluateTransactionFraudResponse(fraud_assessment=assessment)

    async def RetrieveFraudAssessment(self, request, context):
        stored = await store.retrieve(
            self.database, fraud_assessments, FA.FraudAssessment, "fraud assessment", request.fraud_assessment_id
        )
        return pb.RetrieveFraudAssessmentResponse(fraud_assessment=stored)

    async def ListFraudAssessments(self, request, context):
        row = FraudAssessmentRow
        query = select(row)
        if request.decision:
            query = query.where(row.decision == request.decision)
        if request.customer_id:
            query = query.where(row.customer_id == uuid.UUID(request.customer_id))
        if request.payment_id:
            query = query.where(row.payment_id == uuid.UUID(request.payment_id))
        if request.HasField("start_time"):
            query = query.where(row.evaluate_time >= request.start_time.ToDatetime(tzinfo=UTC))
        if request.HasField("end_time"):
            query = query.where(row.evaluate_time < request.end_time.ToDatetime(tzinfo=UTC))
        rows, token = await page(
            self.database, query, (row.evaluate_time, row.id), request, context, self.settings, self.page_key,
            descending=True,
        )  # fmt: skip
        return pb.ListFraudAssessmentsResponse(
            fraud_assessments=[FA.FraudAssessment.FromString(r.body) for r in rows], next_page_token=token
        )
