"""The customer service, built: the standard domain service (services.runtime.app.domain_service: database
migrated at startup, outbox relay, readiness on both) with the four customer servicers, the compliance
service's client for KYC screening and the behaviour models' consumer of payment events."""

from __future__ import annotations

from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_profile_service_pb2_grpc as psvc_grpc

from services.customer.adapters.clients import ComplianceScreening
from services.customer.adapters.payment_events import PaymentEventsConsumer
from services.customer.api.behavior_models import CustomerBehaviorModels
from services.customer.api.directory import CustomerDirectory
from services.customer.api.onboarding import CustomerOnboarding
from services.customer.api.profiles import CustomerProfiles
from services.customer.app.context import CustomerContext
from services.customer.config import load_keys
from services.runtime.app import domain_service
from services.runtime.clients import ServiceClient
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import Service


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("customer", settings)
    keys = load_keys(settings)
    risk = ServiceClient("customer", "risk", settings=settings)
    ctx = CustomerContext(database=database, settings=settings, keys=keys, screening=ComplianceScreening(risk))
    return domain_service(
        "customer",
        [
            (dsvc_grpc.add_CustomerDirectoryServiceServicer_to_server, CustomerDirectory(ctx)),
            (osvc_grpc.add_CustomerOnboardingServiceServicer_to_server, CustomerOnboarding(ctx)),
            (psvc_grpc.add_CustomerProfileServiceServicer_to_server, CustomerProfiles(ctx)),
            (bsvc_grpc.add_CustomerBehaviorModelsServiceServicer_to_server, CustomerBehaviorModels(ctx)),
        ],
        settings,
        database=database,
        background=[risk, PaymentEventsConsumer(database, keys, settings=settings)],
    )
