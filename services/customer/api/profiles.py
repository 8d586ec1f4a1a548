"""fintech.customer.v1.CustomerProfileService: protobuf in and out of the profile use cases."""

from __future__ import annotations

from fintech.customer.v1 import customer_profile_service_pb2 as psvc
from fintech.customer.v1 import customer_profile_service_pb2_grpc as psvc_grpc

from services.customer.app import profiles
from services.customer.app.context import CustomerContext
from services.runtime.access import caller
from services.runtime.grpc_types import Context


class CustomerProfiles(psvc_grpc.CustomerProfileServiceServicer):
    def __init__(self, ctx: CustomerContext) -> None:
        self.ctx = ctx

    async def RetrieveCustomerProfile(  # noqa: N802
        self, request: psvc.RetrieveCustomerProfileRequest, context: Context
    ) -> psvc.RetrieveCustomerProfileResponse:
        profile = await profiles.retrieve(self.ctx, caller(), request.customer_id, request.pii_view)
        return psvc.RetrieveCustomerProfileResponse(profile=profile)

    async def UpdateCustomerProfile(  # noqa: N802
        self, request: psvc.UpdateCustomerProfileRequest, context: Context
    ) -> psvc.UpdateCustomerProfileResponse:
        profile = await profiles.update(
            self.ctx, caller(), request.customer_id, request.profile, list(request.update_mask.paths)
        )
        return psvc.UpdateCustomerProfileResponse(profile=profile)
