"""Predict: routing by registry stage, shadow scoring, contributions, what was served recorded.

Shadow versions score the same rows concurrently within a time budget; their scores go only to the
`PredictionServed` events, never to the caller. Routing reads the registry at most once per ROUTE_TTL per model
and process, so a promotion made elsewhere serves within ROUTE_TTL; what a call served is stored (the Recorder)
before it returns.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import structlog
from fintech.ml.v1 import events_pb2, prediction_pb2
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import timestamp_pb2

from services.ml.app.ports import Bins, Inference, ModelState, Recorder
from services.ml.app.registry import Registry
from services.ml.domain import explain, governance
from services.ml.domain import serving as rules
from services.ml.domain.drift import Baseline
from services.ml.domain.serving import Instance, Rows, Scores
from services.ml.domain.stages import now_ts
from services.runtime.errors import DeadlineExceeded, FailedPrecondition
from services.runtime.observability import safe_error

log = structlog.get_logger("ml.serving")
SHADOW_BUDGET = 0.5
# How long Predict routes by a model's stages as read: a promotion takes effect at once in the ml process that
# made it (its registry's generation changes) and within ROUTE_TTL seconds in every other one.
ROUTE_TTL = 2.0
# Per row: (each input's contribution in signature order, base value).
Explained = list[tuple[npt.NDArray[np.float64], float]]


@dataclass(frozen=True)
class PredictCall:
    model_name: str
    model_version: str  # empty: routed by stage
    instances: Sequence[Instance]
    request_id: str
    timeout: float  # seconds the caller gives the inference
    deadline: float | None  # the inbound call's deadline (time.monotonic()), if it has one
    include_contributions: bool
    caller: str  # the calling workload, for the events


@dataclass
class Served:
    """What a Predict call answers: the version that scored, its predictions, the shadows that scored too."""

    version: mv.ModelVersion
    latency: float
    serve_time: timestamp_pb2.Timestamp
    predictions: list[prediction_pb2.Prediction] = field(default_factory=list)
    shadow_versions: list[str] = field(default_factory=list)


def time_left(call: PredictCall) -> float:
    """The call's timeout, cut to what the inbound call has left."""
    timeout = call.timeout
    if call.deadline is not None:
        timeout = min(timeout, call.deadline - time.monotonic() - 0.02)
    if timeout <= 0:
        raise DeadlineExceeded("no time left for the inference")
    return timeout


class Serving:
    def __init__(self, registry: Registry, inference: Inference, recorder: Recorder, monitoring_key: bytes) -> None:
        self.registry = registry
        self.inference = inference
        self.recorder = recorder
        self.monitoring_key = monitoring_key  # HMAC key of the entity ids in events
        self._routes: dict[str, tuple[float, int, list[mv.ModelVersion]]] = {}
        self._loading: dict[str, asyncio.Future[list[mv.ModelVersion]]] = {}
        self._baselines: dict[str, Baseline | None] = {}

    def entity_hash(self, entity_id: str) -> str:
        return hmac.new(self.monitoring_key, entity_id.encode(), hashlib.sha256).hexdigest() if entity_id else ""

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
        versions = await self.registry.serving_versions(name)
        self._routes[name] = (started, generation, versions)
        return versions

    async def route(
        self, model_name: str, model_version: str, request_id: str
    ) -> tuple[mv.ModelVersion, list[mv.ModelVersion]]:
        """(the version that answers, the shadow versions)."""
        if model_version:
            version = (await self.registry.retrieve(model_name, model_version)).version
            rules.check_serving(version)
            return version, []
        return rules.route(model_name, await self._active(model_name), request_id)

    async def predict(self, call: PredictCall) -> Served:
        name = call.model_name
        version, shadows = await self.route(name, call.model_version, call.request_id)
        rows = rules.feature_matrix(version, call.instances)
        timeout = time_left(call)
        started = time.perf_counter()
        shadow_tasks = [
            asyncio.create_task(self.inference.infer(name, s, rules.feature_matrix(s, call.instances),
                                                     min(timeout, SHADOW_BUDGET)))
            for s in shadows
        ]  # fmt: skip
        explained: Explained | None
        try:
            if call.include_contributions:
                scores, explained = await self._explained(name, version, rows, timeout)
            else:
                scores, explained = await self.inference.infer(name, version, rows, timeout), None
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
                log.warning("shadow.failed", model=name, version=shadow.version, error=safe_error(error))
        served = Served(version, latency, now_ts(), shadow_versions=[s.version for s, _, _ in shadow_results])
        names = [f.feature_name for f in version.signature.input_features]
        events = []
        for i, raw_score in enumerate(scores):
            score = rules.clamp(raw_score)
            label = rules.label(version, score)
            prediction = prediction_pb2.Prediction(prediction_id=str(uuid.uuid4()), score=score, predicted_label=label)
            if explained is not None:
                values, prediction.contribution_base_value = explained[i]
                for j in np.argsort(-np.abs(values), kind="stable"):
                    prediction.contributions.add(feature_name=names[j], contribution=float(values[j]))
            served.predictions.append(prediction)
            events.append(
                events_pb2.PredictionServed(
                    prediction_id=prediction.prediction_id, request_id=call.request_id,
                    model_name=name, model_version=version.version, stage=version.stage, score=score,
                    predicted_label=label, inference_latency=rules.duration(latency),
                    entity_hash=self.entity_hash(call.instances[i].entity_id), caller=call.caller,
                    shadow_predictions=[
                        prediction_pb2.ShadowPrediction(
                            model_version=s.version, score=rules.clamp(s_scores[i]),
                            predicted_label=s.signature.class_labels[1 if s_scores[i] >= s.decision_threshold else 0],
                            inference_latency=rules.duration(s_latency),
                        )
                        for s, s_scores, s_latency in shadow_results
                    ],
                )
            )  # fmt: skip
        await self._record(version, rows, scores, events)
        return served

    async def _explained(
        self, name: str, version: mv.ModelVersion, rows: Rows, timeout: float
    ) -> tuple[Scores, Explained]:
        """The scores and, per row, (contributions, base value): the rows are scored with their attribution paths
        in the same requests, and each row's score is its paths' end."""
        baseline = await self._baseline(version)
        if not baseline:
            raise FailedPrecondition(f"{name} version {version.version} has no training baseline to explain from")
        reference = rules.reference_row(version, baseline)
        k = len(version.signature.input_features)
        paths = np.concatenate([explain.path_rows(row, reference) for row in rows])
        path_scores = (await self.inference.infer(name, version, paths, timeout)).reshape(len(rows), 2 * k + 2)
        return path_scores[:, k], [explain.contributions(s, k) for s in path_scores]

    async def _baseline(self, version: mv.ModelVersion) -> Baseline | None:
        if version.model_version_id not in self._baselines:
            self._baselines[version.model_version_id] = await self.registry.baseline(version.model_version_id)
        return self._baselines[version.model_version_id]

    async def _record(
        self, version: mv.ModelVersion, rows: Rows, scores: Scores, events: list[events_pb2.PredictionServed]
    ) -> None:
        """The events and the drift bins of the served rows, committed before the call returns."""
        baseline = await self._baseline(version)
        bins = Bins()
        if baseline:
            version_id = uuid.UUID(version.model_version_id)
            columns: dict[str, npt.NDArray[Any]] = {
                f.feature_name: rows[:, j] for j, f in enumerate(version.signature.input_features)
            }
            columns["score"] = scores
            for name, values in columns.items():
                if name not in baseline:
                    continue
                counts = governance.bucket_counts(baseline[name]["edges"], [float(v) for v in values])
                bins.update({(version_id, name, b): c for b, c in enumerate(counts) if c})
        await self.recorder.record_served(events, bins)

    async def serving_status(self, model_name: str, model_version: str) -> list[tuple[mv.ModelVersion, ModelState]]:
        """The version asked for (or the model's versions in serving stages), each with its state on the
        inference server (empty state: not loaded)."""
        if model_version:
            versions = [(await self.registry.retrieve(model_name, model_version)).version]
        else:
            versions = await self.registry.serving_versions(model_name)
        states = await self.inference.model_states()
        return [(v, states.get((model_name, v.version), ModelState("", ""))) for v in versions]
