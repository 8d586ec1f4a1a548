"""ModelServingService: protobuf <-> the serving use cases (services.ml.app.serving)."""

from __future__ import annotations

from typing import Any

import grpc
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_serving_service_pb2_grpc, prediction_pb2

from services.ml.app.serving import PredictCall, Serving
from services.ml.domain.serving import duration
from services.ml.domain.stages import S, now_ts
from services.runtime.call_pipeline import inbound_deadline
from services.runtime.config import Settings
from services.runtime.identity import peer_identity

DEFAULT_TIMEOUT = 1.0
SERVING_STATES = {
    "READY": srv.SERVING_STATE_READY,
    "LOADING": srv.SERVING_STATE_LOADING,
    "UNLOADING": srv.SERVING_STATE_UNLOADING,
}


class ModelServing(model_serving_service_pb2_grpc.ModelServingServiceServicer):
    def __init__(self, serving: Serving, settings: Settings) -> None:
        self.serving = serving
        self.settings = settings

    async def Predict(
        self, request: srv.PredictRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> srv.PredictResponse:
        call = PredictCall(
            model_name=request.model_name, model_version=request.model_version, instances=request.instances,
            request_id=request.request_id,
            timeout=request.timeout.ToNanoseconds() / 1e9 if request.HasField("timeout") else DEFAULT_TIMEOUT,
            deadline=inbound_deadline.get(),
            include_contributions=request.include_contributions,
            caller=peer_identity(context, self.settings.mesh.mode) or "",
        )  # fmt: skip
        served = await self.serving.predict(call)
        version = served.version
        return srv.PredictResponse(
            request_id=request.request_id, model_name=request.model_name, model_version=version.version,
            stage=version.stage, inference_latency=duration(served.latency), serve_time=served.serve_time,
            shadow_scorings=[prediction_pb2.ShadowScoring(model_version=v) for v in served.shadow_versions],
            predictions=served.predictions,
        )  # fmt: skip

    async def RetrieveModelServingStatus(
        self, request: srv.RetrieveModelServingStatusRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> srv.RetrieveModelServingStatusResponse:
        found = await self.serving.serving_status(request.model_name, request.model_version)
        response = srv.RetrieveModelServingStatusResponse(model_name=request.model_name)
        checked = now_ts()
        for version, server in found:
            serving = SERVING_STATES.get(server.state)
            if serving is None:
                serving = srv.SERVING_STATE_FAILED if server.reason else srv.SERVING_STATE_NOT_LOADED
            response.versions.add(
                model_version=version.version, stage=version.stage, state=serving,
                ready_replica_count=int(serving == srv.SERVING_STATE_READY), replica_count=1,
                state_reason=server.reason, check_time=checked,
            )  # fmt: skip
            if version.stage == S.MODEL_STAGE_PRODUCTION and serving == srv.SERVING_STATE_READY:
                response.ready = True
        return response
