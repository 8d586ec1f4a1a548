"""ModelServingService over Triton (tritonclient.grpc.aio): routing by registry stage, shadow scoring, events.

Concurrent Predict calls each send their own request to Triton; Triton's dynamic batcher merges them
into one onnxruntime run. Shadow versions score the same rows concurrently within a time budget;
their scores go only to the `PredictionServed` events, never to the caller.

Routing reads the registry at most once per ROUTE_TTL (2 s) per model and process, so a promotion made
elsewhere serves within 2 s; what a call served is stored by services.ml.recording before it returns.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import os
import time
import uuid
import zlib

import numpy as np
import structlog
import tritonclient.grpc.aio as triton
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import events_pb2, model_serving_service_pb2_grpc, prediction_pb2
from fintech.ml.v1 import feature_value_pb2 as fv
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import duration_pb2
from sqlalchemy import select
from tritonclient.utils import InferenceServerException

from services.ml import explain, governance, recording
from services.ml.models import model_versions
from services.ml.registry import SERVING_STAGES, Registry, now_ts
from services.runtime import outbox
from services.runtime.call_pipeline import inbound_deadline
from services.runtime.config import Settings
from services.runtime.errors import DeadlineExceeded, FailedPrecondition, InvalidArgument, NotFound, Unavailable
from services.runtime.identity import peer_identity
from services.runtime.observability import safe_error
from services.runtime.validation import Violation

log = structlog.get_logger("ml.serving")
S = mv.ModelStage
DEFAULT_TIMEOUT = 1.0
SHADOW_BUDGET = 0.5
# How long Predict routes by a model's stages as read: a promotion takes effect at once in the ml process that
# made it (its registry's generation changes) and within ROUTE_TTL seconds in every other one.
ROUTE_TTL = 2.0
# HMAC key for entity ids in events; from the environment (a Secret in a cluster), a dev default locally.
MONITORING_KEY = os.environ.get("FINTECH_ML_MONITORING_KEY", "fintech-dev-monitoring-key").encode()
NUMERIC = {"double_value", "int64_value", "bool_value"}
MAX_BATCH_ROWS = 1024  # max_batch_size of models/*/config.pbtxt


class Triton:
    """The inference server client (one channel per process)."""

    def __init__(self, settings: Settings) -> None:
        self.url = f"{settings.triton.host}:{settings.triton.grpc_port}"
        self._client: triton.InferenceServerClient | None = None

    @property
    def client(self) -> triton.InferenceServerClient:
        if self._client is None:
            self._client = triton.InferenceServerClient(self.url)
        return self._client

    async def is_ready(self, name: str, version: str) -> bool:
        try:
            return await self.client.is_model_ready(name, version, client_timeout=2.0)
        except InferenceServerException:
            return False

    async def infer(self, name: str, version: mv.ModelVersion, rows: np.ndarray, timeout: float) -> np.ndarray:
        """The scores of `rows`, in requests of at most the models' max_batch_size rows."""
        chunks = [rows[i : i + MAX_BATCH_ROWS] for i in range(0, len(rows), MAX_BATCH_ROWS)] or [rows]
        scores = await asyncio.gather(*(self._infer(name, version, chunk, timeout) for chunk in chunks))
        return np.concatenate(scores)

    async def _infer(self, name: str, version: mv.ModelVersion, rows: np.ndarray, timeout: float) -> np.ndarray:
        signature = version.signature
        tensor = triton.InferInput(signature.input_tensors[0].tensor_name, list(rows.shape), "FP32")
        tensor.set_data_from_numpy(rows)
        output = signature.output_tensors[0].tensor_name
        try:
            result = await self.client.infer(
                name, [tensor], model_version=version.version, outputs=[triton.InferRequestedOutput(output)],
                client_timeout=timeout,
            )  # fmt: skip
        except InferenceServerException as error:
            status, message = str(error.status() or ""), error.message() or ""
            if "DEADLINE_EXCEEDED" in status:
                raise DeadlineExceeded("the inference server did not answer in time") from None
            if "unknown model" in message.lower() or "not ready" in message.lower() or "NOT_FOUND" in status:
                raise Unavailable(
                    f"{name} version {version.version} is not loaded on the inference server",
                    reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
                ) from None
            raise Unavailable(f"the inference server failed: {status}") from None
        return result.as_numpy(output).reshape(-1).astype(float)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def entity_hash(entity_id: str) -> str:
    return hmac.new(MONITORING_KEY, entity_id.encode(), hashlib.sha256).hexdigest() if entity_id else ""


def feature_matrix(version: mv.ModelVersion, instances) -> np.ndarray:
    """The input rows in signature order; every problem of every instance at once."""
    features = version.signature.input_features
    known = {f.feature_name for f in features}
    rows = np.zeros((len(instances), len(features)), dtype=np.float32)
    violations = []
    for i, instance in enumerate(instances):
        for name in instance.features:
            if name not in known:
                violations.append(Violation(f"instances[{i}].features[{name}]", "not an input of the model"))
        for j, feature in enumerate(features):
            path = f"instances[{i}].features[{feature.feature_name}]"
            if feature.feature_name not in instance.features:
                if feature.allow_missing:
                    rows[i, j] = math.nan
                else:
                    violations.append(Violation(path, "required by the model"))
                continue
            value = instance.features[feature.feature_name]
            kind = value.WhichOneof("kind")
            expected = fv.FeatureValueType.Name(feature.value_type).removeprefix("FEATURE_VALUE_TYPE_").lower()
            if kind in NUMERIC and expected in ("double", "int64", "bool"):
                number = float(getattr(value, kind))
            elif kind == "double_value" and expected in ("money", "duration"):  # already in minor units / seconds
                number = value.double_value
            elif kind == "money_value" and expected == "money":
                if feature.currency_code and value.money_value.currency_code != feature.currency_code:
                    violations.append(Violation(path, f"must be in {feature.currency_code}"))
                number = float(value.money_value.amount_minor)
            elif kind == "duration_value" and expected == "duration":
                number = value.duration_value.ToNanoseconds() / 1e9
            else:
                violations.append(Violation(path, f"must be a {expected} value, not {kind}"))
                continue
            if not math.isfinite(number):
                violations.append(Violation(path, "must be finite"))
            rows[i, j] = number
    if violations:
        raise InvalidArgument("the instances do not match the model's signature", violations=violations)
    return rows


def _middle(edges: list[float]) -> float:
    """A version registered before medians were recorded: the middle decile edge."""
    return edges[len(edges) // 2] if edges else 0.0


def duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d


class ModelServing(model_serving_service_pb2_grpc.ModelServingServiceServicer):
    def __init__(self, registry: Registry, triton_client: Triton) -> None:
        self.registry = registry
        self.triton = triton_client
        self._routes: dict[str, tuple[float, int, list[mv.ModelVersion]]] = {}
        self._loading: dict[str, asyncio.Future[list[mv.ModelVersion]]] = {}
        self._baselines: dict[str, dict | None] = {}
        self.recorder = recording.Recorder(registry.database)

    async def _active(self, name: str) -> list[mv.ModelVersion]:
        """The model's versions in serving stages, cached (see ROUTE_TTL); concurrent misses share one read."""
        cached = self._routes.get(name)
        if cached and cached[1] == self.registry.generation and time.monotonic() - cached[0] < ROUTE_TTL:
            return cached[2]
        loading = self._loading.get(name)
        if loading is None or loading.done():
            loading = self._loading[name] = asyncio.ensure_future(self._load(name))
        return await asyncio.shield(loading)

    async def _load(self, name: str) -> list[mv.ModelVersion]:
        generation, started = self.registry.generation, time.monotonic()  # a promotion during the read: stale
        async with self.registry.database.session() as session:
            versions = await self.registry.versions(session, name, SERVING_STAGES)
            if not versions and not await self.registry.exists(session, name):
                raise NotFound(f"no model {name!r}", reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND)
        self._routes[name] = (started, generation, versions)
        return versions

    async def _route(self, request: srv.PredictRequest) -> tuple[mv.ModelVersion, list[mv.ModelVersion]]:
        if request.model_version:
            async with self.registry.database.session() as session:
                version = (await self.registry.get(session, request.model_name, request.model_version)).version
            if version.stage not in SERVING_STAGES:
                raise Unavailable(
                    f"version {version.version} is {S.Name(version.stage)} and not loaded",
                    reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
                )
            return version, []
        active = await self._active(request.model_name)
        production = next((v for v in active if v.stage == S.MODEL_STAGE_PRODUCTION), None)
        canary = next((v for v in active if v.stage == S.MODEL_STAGE_CANARY), None)
        chosen = production
        if canary and (zlib.crc32(request.request_id.encode()) % 100) < canary.canary_traffic_percent:
            chosen = canary
        if chosen is None:
            raise Unavailable(
                f"model {request.model_name!r} has no production version",
                reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
            )
        return chosen, [v for v in active if v.stage == S.MODEL_STAGE_SHADOW]

    def _timeout(self, request: srv.PredictRequest) -> float:
        timeout = request.timeout.ToNanoseconds() / 1e9 if request.HasField("timeout") else DEFAULT_TIMEOUT
        deadline = inbound_deadline.get()
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic() - 0.02)
        if timeout <= 0:
            raise DeadlineExceeded("no time left for the inference")
        return timeout

    async def Predict(self, request, context):
        version, shadows = await self._route(request)
        rows = feature_matrix(version, request.instances)
        timeout = self._timeout(request)
        started = time.perf_counter()
        shadow_tasks = [
            asyncio.create_task(self.triton.infer(request.model_name, s, feature_matrix(s, request.instances),
                                                  min(timeout, SHADOW_BUDGET)))
            for s in shadows
        ]  # fmt: skip
        try:
            if request.include_contributions:
                scores, explained = await self._explained(request.model_name, version, rows, timeout)
            else:
                scores, explained = await self.triton.infer(request.model_name, version, rows, timeout), None
        except BaseException:
            for task in shadow_tasks:
                task.cancel()
            raise
        latency = time.perf_counter() - started
        shadow_results = []
        for shadow, task in zip(shadows, shadow_tasks, strict=True):
            try:
                shadow_results.append((shadow, await task, time.perf_counter() - started))
            except Exception as error:  # a shadow never fails the call
                log.warning("shadow.failed", model=request.model_name, version=shadow.version, error=safe_error(error))
        labels = version.signature.class_labels
        threshold = version.decision_threshold
        response = srv.PredictResponse(
            request_id=request.request_id, model_name=request.model_name, model_version=version.version,
            stage=version.stage, inference_latency=duration(latency), serve_time=now_ts(),
            shadow_scorings=[prediction_pb2.ShadowScoring(model_version=s.version) for s, _, _ in shadow_results],
        )  # fmt: skip
        caller = peer_identity(context, self.registry.settings.mesh.mode) or ""
        events = []
        for i, score in enumerate(scores):
            score = min(max(float(score), 0.0), 1.0)
            label = labels[1] if score >= threshold else labels[0]
            prediction = response.predictions.add(prediction_id=str(uuid.uuid4()), score=score, predicted_label=label)
            if explained is not None:
                values, prediction.contribution_base_value = explained[i]
                names = [f.feature_name for f in version.signature.input_features]
                for j in np.argsort(-np.abs(values), kind="stable"):
                    prediction.contributions.add(feature_name=names[j], contribution=float(values[j]))
            events.append(
                events_pb2.PredictionServed(
                    prediction_id=prediction.prediction_id, request_id=request.request_id,
                    model_name=request.model_name, model_version=version.version, stage=version.stage, score=score,
                    predicted_label=label, inference_latency=duration(latency),
                    entity_hash=entity_hash(request.instances[i].entity_id), caller=caller,
                    shadow_predictions=[
                        prediction_pb2.ShadowPrediction(
                            model_version=s.version, score=min(max(float(s_scores[i]), 0.0), 1.0),
                            predicted_label=s.signature.class_labels[1 if s_scores[i] >= s.decision_threshold else 0],
                            inference_latency=duration(s_latency),
                        )
                        for s, s_scores, s_latency in shadow_results
                    ],
                )
            )  # fmt: skip
        await self._record(version, rows, scores, events)
        return response

    async def _explained(self, name: str, version: mv.ModelVersion, rows: np.ndarray, timeout: float):
        """The scores and, per row, (contributions, base value): the rows are scored with their attribution paths
        in the same requests, and each row's score is its paths' end."""
        baseline = await self._baseline(version)
        if not baseline:
            raise FailedPrecondition(f"{name} version {version.version} has no training baseline to explain from")
        names = [f.feature_name for f in version.signature.input_features]
        reference = np.array([baseline[n].get("median", _middle(baseline[n]["edges"])) for n in names])
        k = len(names)
        paths = np.concatenate([explain.path_rows(row, reference) for row in rows])
        path_scores = (await self.triton.infer(name, version, paths, timeout)).reshape(len(rows), 2 * k + 2)
        return path_scores[:, k], [explain.contributions(s, k) for s in path_scores]

    async def _baseline(self, version: mv.ModelVersion) -> dict | None:
        if version.model_version_id not in self._baselines:
            async with self.registry.database.session() as session:
                self._baselines[version.model_version_id] = await session.scalar(
                    select(model_versions.c.drift_baseline).where(
                        model_versions.c.id == uuid.UUID(version.model_version_id)
                    )
                )
        return self._baselines[version.model_version_id]

    async def _record(self, version: mv.ModelVersion, rows: np.ndarray, scores: np.ndarray, events: list) -> None:
        """The events and the drift bins of the served rows, committed before the call returns."""
        baseline = await self._baseline(version)
        bins = recording.Bins()
        if baseline:
            version_id = uuid.UUID(version.model_version_id)
            columns = {f.feature_name: rows[:, j] for j, f in enumerate(version.signature.input_features)}
            columns["score"] = scores
            for name, values in columns.items():
                if name not in baseline:
                    continue
                counts = governance.bucket_counts(baseline[name]["edges"], [float(v) for v in values])
                bins.update({(version_id, name, b): c for b, c in enumerate(counts) if c})
        source = self.registry.source
        envelopes = [outbox.wrap(event, subject=event.prediction_id, sequence=1, source=source) for event in events]
        await self.recorder.record(envelopes, bins)

    async def RetrieveModelServingStatus(self, request, context):
        async with self.registry.database.session() as session:
            if request.model_version:
                versions = [(await self.registry.get(session, request.model_name, request.model_version)).version]
            else:
                if not await self.registry.exists(session, request.model_name):
                    raise NotFound(f"no model {request.model_name!r}", reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND)
                versions = await self.registry.versions(session, request.model_name, SERVING_STAGES)
        try:
            index = await self.triton.client.get_model_repository_index(client_timeout=2.0)
        except InferenceServerException:
            raise Unavailable("the inference server does not answer") from None
        states = {(m.name, m.version): (m.state, m.reason) for m in index.models}
        response = srv.RetrieveModelServingStatusResponse(model_name=request.model_name)
        checked = now_ts()
        for version in versions:
            state, reason = states.get((request.model_name, version.version), ("", ""))
            serving = {"READY": srv.SERVING_STATE_READY, "LOADING": srv.SERVING_STATE_LOADING,
                       "UNLOADING": srv.SERVING_STATE_UNLOADING}.get(state)  # fmt: skip
            if serving is None:
                serving = srv.SERVING_STATE_FAILED if reason else srv.SERVING_STATE_NOT_LOADED
            response.versions.add(
                model_version=version.version, stage=version.stage, state=serving,
                ready_replica_count=int(serving == srv.SERVING_STATE_READY), replica_count=1, state_reason=reason,
                check_time=checked,
            )  # fmt: skip
            if version.stage == S.MODEL_STAGE_PRODUCTION and serving == srv.SERVING_STATE_READY:
                response.ready = True
        return response
