"""ModelRegistryService: protobuf <-> the registry's use cases (services.ml.app.registry)."""

from __future__ import annotations

from typing import Any

import grpc
from fintech.ml.v1 import model_registry_service_pb2 as reg
from fintech.ml.v1 import model_registry_service_pb2_grpc

from services.ml.app.ports import VersionPage
from services.ml.app.registry import Registry
from services.runtime import access
from services.runtime.config import Settings


class ModelRegistry(model_registry_service_pb2_grpc.ModelRegistryServiceServicer):
    def __init__(self, registry: Registry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings

    def _caller(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        return access.actor(context, self.settings)

    async def RegisterModelVersion(
        self, request: reg.RegisterModelVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.RegisterModelVersionResponse:
        version = await self.registry.register(request.model_name, request.model_version, self._caller(context))
        return reg.RegisterModelVersionResponse(model_version=version)

    async def RetrieveModelVersion(
        self, request: reg.RetrieveModelVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.RetrieveModelVersionResponse:
        stored = await self.registry.retrieve(request.model_name, request.model_version)
        return reg.RetrieveModelVersionResponse(model_version=stored.version)

    async def ListModelVersions(
        self, request: reg.ListModelVersionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.ListModelVersionsResponse:
        page = VersionPage(
            request.model_name, request.stage, request.page_size, request.page_token, self._caller(context)
        )
        versions, token = await self.registry.list_versions(page)
        return reg.ListModelVersionsResponse(model_versions=versions, next_page_token=token)

    async def PromoteModelVersion(
        self, request: reg.PromoteModelVersionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.PromoteModelVersionResponse:
        promotion = await self.registry.promote(
            request.model_name, request.model_version, request.target_stage,
            canary_traffic_percent=request.canary_traffic_percent, read_etag=request.etag, reason=request.reason,
            promoted_by=self._caller(context),
        )  # fmt: skip
        return reg.PromoteModelVersionResponse(
            model_version=promotion.version, previous_stage=promotion.previous_stage,
            metric_checks=promotion.checks, replaced_model_version=promotion.replaced,
        )  # fmt: skip

    async def RetrieveBiasReport(
        self, request: reg.RetrieveBiasReportRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.RetrieveBiasReportResponse:
        bias = await self.registry.bias_report(request.model_name, request.model_version, request.bias_report_id)
        return reg.RetrieveBiasReportResponse(bias_report=bias)

    async def RetrieveDriftReport(
        self, request: reg.RetrieveDriftReportRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> reg.RetrieveDriftReportResponse:
        if request.drift_report_id:
            report = await self.registry.stored_drift_report(
                request.model_name, request.model_version, request.drift_report_id
            )
        else:  # the latest report is generated on request, from what was served until now
            report = await self.registry.drift_report(request.model_name, request.model_version)
        return reg.RetrieveDriftReportResponse(drift_report=report)
