"""fintech.customer.v1.CustomerBehaviorModelsService: protobuf in and out of the behaviour insights."""

from __future__ import annotations

from fintech.customer.v1 import customer_behavior_models_service_pb2 as bsvc
from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc

from services.customer.app import behaviour
from services.customer.app.context import CustomerContext
from services.runtime.access import caller
from services.runtime.grpc_types import Context


class CustomerBehaviorModels(bsvc_grpc.CustomerBehaviorModelsServiceServicer):
    def __init__(self, ctx: CustomerContext) -> None:
        self.ctx = ctx

    async def RetrieveBehaviorInsights(  # noqa: N802
        self, request: bsvc.RetrieveBehaviorInsightsRequest, context: Context
    ) -> bsvc.RetrieveBehaviorInsightsResponse:
        window = request.window or bsvc.BEHAVIOR_WINDOW_LAST_90_DAYS
        result = await behaviour.insights_of(
            self.ctx, caller(), request.customer_id, window, request.max_counterparties
        )
        return bsvc.RetrieveBehaviorInsightsResponse(behavior_insights=result)
