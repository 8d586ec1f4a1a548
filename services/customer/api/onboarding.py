"""fintech.customer.v1.CustomerOnboardingService: protobuf in and out of the KYC use cases."""

from __future__ import annotations

from typing import cast

from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_pb2 as c

from services.customer.api.retry import retry_of
from services.customer.app import directory, kyc_checks, kyc_control
from services.customer.app.context import CustomerContext
from services.runtime.access import caller
from services.runtime.grpc_types import Context


class CustomerOnboarding(osvc_grpc.CustomerOnboardingServiceServicer):
    def __init__(self, ctx: CustomerContext) -> None:
        self.ctx = ctx

    async def InitiateKycCheck(  # noqa: N802
        self, request: osvc.InitiateKycCheckRequest, context: Context
    ) -> osvc.InitiateKycCheckResponse:
        check = await kyc_checks.initiate(
            self.ctx, caller(), request.customer_id, request.trigger, request.customer_etag,
            retry_of(request, request.request_id),
        )  # fmt: skip
        return osvc.InitiateKycCheckResponse(kyc_check=check)

    async def RetrieveKycCheck(  # noqa: N802
        self, request: osvc.RetrieveKycCheckRequest, context: Context
    ) -> osvc.RetrieveKycCheckResponse:
        check = await kyc_checks.retrieve(self.ctx, caller(), request.customer_id, request.kyc_check_id)
        return osvc.RetrieveKycCheckResponse(kyc_check=check)

    async def ListKycChecks(  # noqa: N802
        self, request: osvc.ListKycChecksRequest, context: Context
    ) -> osvc.ListKycChecksResponse:
        checks, next_page_token = await kyc_checks.page(
            self.ctx, caller(), request.customer_id, request.states, request.page_size, request.page_token
        )
        return osvc.ListKycChecksResponse(kyc_checks=checks, next_page_token=next_page_token)

    async def ControlKycCheck(  # noqa: N802
        self, request: osvc.ControlKycCheckRequest, context: Context
    ) -> osvc.ControlKycCheckResponse:
        check = await kyc_control.control(
            self.ctx, caller(), request.customer_id, request.kyc_check_id, request.etag, request.decision,
            list(request.reason_codes), request.note, retry_of(request, request.request_id),
        )  # fmt: skip
        return osvc.ControlKycCheckResponse(kyc_check=check)

    async def RetrieveCustomerVerification(  # noqa: N802
        self, request: osvc.RetrieveCustomerVerificationRequest, context: Context
    ) -> osvc.RetrieveCustomerVerificationResponse:
        # Only workloads the mesh policy allows (payments) reach this; it holds no personal data.
        response = osvc.RetrieveCustomerVerificationResponse(customer_id=request.customer_id)
        verification = await directory.verification(self.ctx, request.customer_id)
        if verification is None:
            return response
        response.exists = True
        response.erased = verification.erased
        response.state = cast(c.CustomerState, verification.state)
        response.payments_allowed = verification.state == c.CUSTOMER_STATE_VERIFIED
        response.kyc_check_id = verification.kyc_check_id
        if verification.verify_time:
            response.verify_time.FromDatetime(verification.verify_time)
        response.state_change_time.FromDatetime(verification.state_change_time)
        return response
