"""Is the customer allowed to pay? Asked of the customer service (KYC), answers cached a few seconds.

The contract allows callers to cache `RetrieveCustomerVerification` briefly; only positive answers
are cached, so a customer who just passed KYC can pay at once, and a blocked one is re-asked.
"""

from __future__ import annotations

import time

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc

from services.runtime.clients import ServiceClient
from services.runtime.errors import FailedPrecondition

CACHE_SECONDS = 5.0


class CustomerVerification:
    def __init__(self, customer: ServiceClient, cache_seconds: float = CACHE_SECONDS) -> None:
        self._client = customer
        self._stub = customer.stub(osvc_grpc.CustomerOnboardingServiceStub)
        self._verified_until: dict[str, float] = {}
        self._cache_seconds = cache_seconds

    async def require_verified(self, customer_id: str) -> None:
        """FAILED_PRECONDITION (CUSTOMER_NOT_VERIFIED or CUSTOMER_ERASED) unless the customer may pay."""
        if self._verified_until.get(customer_id, 0.0) > time.monotonic():
            return
        answer = await self._client.call(
            self._stub.RetrieveCustomerVerification,
            osvc.RetrieveCustomerVerificationRequest(customer_id=customer_id),
        )
        if answer.erased:
            raise FailedPrecondition(
                f"customer {customer_id} was erased",
                reason=ErrorReason.ERROR_REASON_CUSTOMER_ERASED,
                metadata={"customer_id": customer_id},
            )
        if not answer.payments_allowed:
            raise FailedPrecondition(
                f"customer {customer_id} has not passed KYC verification",
                reason=ErrorReason.ERROR_REASON_CUSTOMER_NOT_VERIFIED,
                metadata={"customer_id": customer_id},
            )
        if len(self._verified_until) > 100_000:
            self._verified_until.clear()
        self._verified_until[customer_id] = time.monotonic() + self._cache_seconds
