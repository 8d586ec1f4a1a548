"""fintech.customer.v1.CustomerDirectoryService: protobuf in and out of the directory's use cases."""

from __future__ import annotations

from datetime import UTC
from typing import cast

from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_pb2 as c

from services.customer.api.retry import retry_of
from services.customer.app import directory, erasure, registration
from services.customer.app.context import CustomerContext
from services.runtime.access import caller
from services.runtime.grpc_types import Context


class CustomerDirectory(dsvc_grpc.CustomerDirectoryServiceServicer):
    def __init__(self, ctx: CustomerContext) -> None:
        self.ctx = ctx

    async def RegisterCustomer(  # noqa: N802
        self, request: dsvc.RegisterCustomerRequest, context: Context
    ) -> dsvc.RegisterCustomerResponse:
        customer = await registration.register(
            self.ctx, caller(), request.customer, retry_of(request, request.request_id)
        )
        return dsvc.RegisterCustomerResponse(customer=customer)

    async def RetrieveCustomer(  # noqa: N802
        self, request: dsvc.RetrieveCustomerRequest, context: Context
    ) -> dsvc.RetrieveCustomerResponse:
        customer = await directory.retrieve(self.ctx, caller(), request.customer_id, request.pii_view)
        return dsvc.RetrieveCustomerResponse(customer=customer)

    async def UpdateCustomer(  # noqa: N802
        self, request: dsvc.UpdateCustomerRequest, context: Context
    ) -> dsvc.UpdateCustomerResponse:
        customer = await registration.update(
            self.ctx, caller(), request.customer_id, request.customer, list(request.update_mask.paths)
        )
        return dsvc.UpdateCustomerResponse(customer=customer)

    async def ListCustomers(  # noqa: N802
        self, request: dsvc.ListCustomersRequest, context: Context
    ) -> dsvc.ListCustomersResponse:
        customers, next_page_token = await directory.page(
            self.ctx,
            caller(),
            branch_id=request.branch_id,
            states=request.states,
            min_create_time=request.min_create_time.ToDatetime(UTC) if request.HasField("min_create_time") else None,
            max_create_time=request.max_create_time.ToDatetime(UTC) if request.HasField("max_create_time") else None,
            pii_view=request.pii_view,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return dsvc.ListCustomersResponse(customers=customers, next_page_token=next_page_token)

    async def EraseCustomer(  # noqa: N802
        self, request: dsvc.EraseCustomerRequest, context: Context
    ) -> dsvc.EraseCustomerResponse:
        erased = await erasure.erase(
            self.ctx, caller(), request.customer_id, request.etag, request.reason, retry_of(request, request.request_id)
        )
        response = dsvc.EraseCustomerResponse(customer_id=erased.customer_id, state=cast(c.CustomerState, erased.state))
        response.erase_time.FromDatetime(erased.erase_time)
        return response
