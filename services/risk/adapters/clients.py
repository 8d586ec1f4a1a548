"""Risk's calls to other services: the feature store's online features and the ml service's models."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta

import grpc
import structlog
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.ml.v1 import feature_value_pb2 as ml_values
from fintech.ml.v1 import model_serving_service_pb2, model_serving_service_pb2_grpc
from fintech.risk.v1 import model_reference_pb2
from fintech.risk.v1 import transaction_pb2 as txn
from prometheus_client import Counter

from libs.featurespec.definitions import FRAUD_VIEW, Entity, reading_number, view
from libs.featurespec.online import OnlineBehind, OnlineReader, OnlineUnavailable, row_values
from services.risk.app.ports import CreditPrediction, FraudScore
from services.runtime.clients import ServiceClient
from services.runtime.errors import DeadlineExceeded, Unavailable
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)

# What a failed ml call may answer when the model cannot score now: the dependency is down, slow, or not
# deployed (an open circuit raises Unavailable). Any other status (INVALID_ARGUMENT, NOT_FOUND, ...) means
# the request or the deployment is wrong: a bug to surface, never a reason to decide without the model.
MODEL_DOWN_CODES = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED}


ONLINE_FALLBACKS = Counter(
    "risk_online_features_fallback_total",
    "Payments whose online features came from the features service instead of Redis, by reason "
    "(unavailable: Redis failed or was slow; behind: no writer's lease, it resyncs or is away; stale: an entity's "
    "row is marked stale; invalid: an id is not a UUID).",
    ["reason"],
)
# The fraud view's features of each entity type, in definition order.
FRAUD_FEATURES = {int(entity): [f for f in view(FRAUD_VIEW) if f.entity == entity] for entity in Entity}


def _fallback(reason: str, error: BaseException | None) -> None:
    ONLINE_FALLBACKS.labels(reason).inc()
    log.info("online features from the features service", reason=reason, error=safe_error(error) if error else None)


def model_down(error: BaseException) -> bool:
    """Whether a failed call to the ml service means the model is unavailable (rather than a bug)."""
    if isinstance(error, Unavailable | DeadlineExceeded):
        return True
    return isinstance(error, grpc.aio.AioRpcError) and error.code() in MODEL_DOWN_CODES


class FeatureStore:
    """The feature store's online features (app.ports.FeatureSource): from Redis in one round trip (the reader of
    libs.featurespec.online); when Redis fails, is slow, is not vouched for by the writer's lease or has an
    entity's row marked stale, from the features service over gRPC (which reads PostgreSQL), counted in
    `risk_online_features_fallback_total` and logged. An entity Redis has no row for, under the lease, has no
    events: its features are missing, as PostgreSQL would answer."""

    def __init__(self, client: ServiceClient, online: OnlineReader | None = None) -> None:
        self.client = client
        self.online = online

    async def fraud_features(self, transaction: txn.Transaction) -> dict[str, float | None] | None:
        """The store's values as of now. Training takes them as of the payment, before it; the payments service
        publishes the payment's own PaymentInitiated after the commit that precedes this call, so it is
        normally not yet counted (when the pipeline was faster, the counts include it: a skew toward caution)."""
        t = transaction
        keys = [(int(Entity.CUSTOMER), t.customer_id), (int(Entity.ACCOUNT), t.debtor_account_id)]
        if t.creditor_account_id:
            keys.append((int(Entity.MERCHANT), t.creditor_account_id))
        if self.online is not None:
            found = await self._from_redis(keys)
            if found is not None:
                return found
        return await self._from_service(t)

    async def _from_redis(self, keys: list[tuple[int, str]]) -> dict[str, float | None] | None:
        """The values from Redis; None (counted and logged) when the features service must answer instead."""
        assert self.online is not None
        try:
            rows, _ = await self.online.rows(keys)
        except OnlineBehind as error:
            _fallback("behind", error)
            return None
        except (OnlineUnavailable, ValueError) as error:
            _fallback("unavailable" if isinstance(error, OnlineUnavailable) else "invalid", error)
            return None
        if any(row is None for row in rows):
            _fallback("stale", None)
            return None
        now = time.time()
        values: dict[str, float | None] = {}
        for (entity, _), row in zip(keys, rows, strict=True):
            assert row is not None
            features = FRAUD_FEATURES[entity]
            values.update(zip((f.name for f in features), row_values(features, now, row), strict=True))
        return values

    async def _from_service(self, transaction: txn.Transaction) -> dict[str, float | None] | None:
        t = transaction
        entities = [
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_CUSTOMER, entity_id=t.customer_id),
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_ACCOUNT, entity_id=t.debtor_account_id),
        ]
        if t.creditor_account_id:
            entities.append(
                entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_MERCHANT, entity_id=t.creditor_account_id)
            )
        request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(entities=entities, feature_view=FRAUD_VIEW)
        stub = self.client.stub(feature_store_service_pb2_grpc.FeatureStoreServiceStub)
        try:
            response = await self.client.call(stub.RetrieveOnlineFeatures, request, timeout=0.5)
        except Exception as error:  # noqa: BLE001 - any failure: the rules say REVIEW
            log.warning("features unavailable", error=safe_error(error))
            return None
        return {r.feature_name: reading_number(r) for entity in response.entities for r in entity.readings}


class Models:
    """The ml service's fraud and credit models (app.ports.FraudModel, app.ports.CreditModel)."""

    def __init__(self, client: ServiceClient, fraud_timeout: float) -> None:
        self.client = client
        self.fraud_timeout = fraud_timeout

    async def score_fraud(
        self, inputs: Mapping[str, float], payment_id: str, model_version: str = ""
    ) -> FraudScore | None:
        request = model_serving_service_pb2.PredictRequest(
            model_name="fraud", model_version=model_version, request_id=str(uuid.uuid4()),
            priority=model_serving_service_pb2.INFERENCE_PRIORITY_REALTIME,
        )  # fmt: skip
        _add_instance(request, inputs, payment_id)
        request.timeout.FromTimedelta(timedelta(seconds=self.fraud_timeout))
        stub = self.client.stub(model_serving_service_pb2_grpc.ModelServingServiceStub)
        started = time.perf_counter()
        try:
            response = await self.client.call(stub.Predict, request, timeout=self.fraud_timeout)
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
        return FraudScore(min(max(prediction.score, 0.0), 1.0), reference, latency)

    async def predict_credit(self, inputs: Mapping[str, float], customer_id: str) -> CreditPrediction:
        request = model_serving_service_pb2.PredictRequest(
            model_name="credit", request_id=str(uuid.uuid4()), include_contributions=True
        )
        _add_instance(request, inputs, customer_id)
        stub = self.client.stub(model_serving_service_pb2_grpc.ModelServingServiceStub)
        try:
            response = await self.client.call(stub.Predict, request)
        except Exception as error:
            if not model_down(error):  # e.g. INVALID_ARGUMENT: the inputs do not match the model: a bug
                log.error("the ml service refused the credit model call", error=safe_error(error))
                raise
            log.warning("credit model unavailable", error=safe_error(error))
            raise Unavailable("the credit model is unavailable; no credit decision without it",
                              metadata={"dependency": "ml", "model": "credit"}) from None  # fmt: skip
        prediction = response.predictions[0]
        return CreditPrediction(
            probability_of_default=min(max(prediction.score, 0.0), 1.0),
            contributions={c.feature_name: c.contribution for c in prediction.contributions},
            model=model_reference_pb2.ModelReference(
                model_name=response.model_name or "credit", model_version=response.model_version
            ),
        )


def _add_instance(
    request: model_serving_service_pb2.PredictRequest, inputs: Mapping[str, float], entity_id: str
) -> None:
    instance = request.instances.add(entity_id=entity_id)
    for name, value in inputs.items():
        instance.features[name].CopyFrom(ml_values.FeatureValue(double_value=value))
