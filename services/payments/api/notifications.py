"""PaymentNotificationService: customers' webhook endpoints and the record of their deliveries."""

from __future__ import annotations

from fintech.payments.v1 import payment_notification_service_pb2 as nsvc
from fintech.payments.v1 import payment_notification_service_pb2_grpc as nsvc_grpc

from services.payments.app.webhooks import WebhookEndpoints
from services.runtime import access, paging
from services.runtime.grpc_types import Context


class PaymentNotifications(nsvc_grpc.PaymentNotificationServiceServicer):
    def __init__(self, endpoints: WebhookEndpoints) -> None:
        self.endpoints = endpoints

    async def RegisterWebhookEndpoint(  # noqa: N802
        self, request: nsvc.RegisterWebhookEndpointRequest, context: Context
    ) -> nsvc.RegisterWebhookEndpointResponse:
        endpoint, secret = await self.endpoints.register(
            request.customer_id, request.url, list(request.event_types), request.description
        )
        return nsvc.RegisterWebhookEndpointResponse(webhook_endpoint=endpoint, signing_secret=secret)

    async def RetrieveWebhookEndpoint(  # noqa: N802
        self, request: nsvc.RetrieveWebhookEndpointRequest, context: Context
    ) -> nsvc.RetrieveWebhookEndpointResponse:
        endpoint = await self.endpoints.retrieve(request.webhook_endpoint_id)
        return nsvc.RetrieveWebhookEndpointResponse(webhook_endpoint=endpoint)

    async def ListWebhookEndpoints(  # noqa: N802
        self, request: nsvc.ListWebhookEndpointsRequest, context: Context
    ) -> nsvc.ListWebhookEndpointsResponse:
        who = access.caller()
        fingerprint = paging.request_fingerprint(request, who.subject)
        endpoints, token = await self.endpoints.list_page(request.customer_id, request, fingerprint)
        return nsvc.ListWebhookEndpointsResponse(webhook_endpoints=endpoints, next_page_token=token)

    async def DeleteWebhookEndpoint(  # noqa: N802
        self, request: nsvc.DeleteWebhookEndpointRequest, context: Context
    ) -> nsvc.DeleteWebhookEndpointResponse:
        await self.endpoints.delete(request.webhook_endpoint_id)
        return nsvc.DeleteWebhookEndpointResponse()

    async def ListWebhookDeliveries(  # noqa: N802
        self, request: nsvc.ListWebhookDeliveriesRequest, context: Context
    ) -> nsvc.ListWebhookDeliveriesResponse:
        fingerprint = paging.request_fingerprint(request, access.caller().subject)
        deliveries, token = await self.endpoints.deliveries(
            request.webhook_endpoint_id, list(request.states), request, fingerprint
        )
        return nsvc.ListWebhookDeliveriesResponse(webhook_deliveries=deliveries, next_page_token=token)

    async def RetrieveWebhookDelivery(  # noqa: N802
        self, request: nsvc.RetrieveWebhookDeliveryRequest, context: Context
    ) -> nsvc.RetrieveWebhookDeliveryResponse:
        delivery = await self.endpoints.delivery(request.webhook_endpoint_id, request.webhook_delivery_id)
        return nsvc.RetrieveWebhookDeliveryResponse(webhook_delivery=delivery)
