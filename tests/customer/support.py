"""Helpers of the customer service's mesh tests: callers with forwarded claims, customers, the database."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_service_pb2_grpc as psvc_grpc
from fintech.customer.v1 import kyc_check_pb2 as k
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.customer.adapters import crypto
from services.customer.config import load_keys
from services.runtime.config import Settings
from services.runtime.tls import certs_dir

BRANCH = "0b7f5a8e-1c2d-4e3f-9a0b-1c2d3e4f5a6b"
OTHER_BRANCH = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


def claims(sub: str, *roles: str, **extra: str) -> str:
    """The `x-jwt-payload` the edge forwards: base64url JSON without padding."""
    payload = json.dumps({"sub": sub, "roles": list(roles), **extra}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


TELLER = claims("teller-1", "teller", branch_id=BRANCH)
OTHER_TELLER = claims("teller-2", "teller", branch_id=OTHER_BRANCH)
OFFICER = claims("officer-1", "risk_officer")
ADMIN = claims("admin-1", "admin")


def customer_token(customer_id: str) -> str:
    return claims(f"user-{customer_id[:8]}", "customer", customer_id=customer_id)


class Api:
    """The customer service's four contracts over mTLS as one workload (the edge by default)."""

    def __init__(self, settings: Settings, workload: str = "edge-gateway") -> None:
        certs = certs_dir(settings)
        credentials = grpc.ssl_channel_credentials(
            (certs / "ca.pem").read_bytes(),
            (certs / f"{workload}-key.pem").read_bytes(),
            (certs / f"{workload}.pem").read_bytes(),
        )
        self.channel = grpc.secure_channel(settings.service("customer").address, credentials)
        self.directory = dsvc_grpc.CustomerDirectoryServiceStub(self.channel)
        self.onboarding = osvc_grpc.CustomerOnboardingServiceStub(self.channel)
        self.profiles = psvc_grpc.CustomerProfileServiceStub(self.channel)
        self.behavior = bsvc_grpc.CustomerBehaviorModelsServiceStub(self.channel)

    def call(self, method, request, claims: str | None = TELLER):
        metadata = (("x-jwt-payload", claims),) if claims else ()
        return method(request, metadata=metadata, timeout=15)

    def fails(self, method, request, claims: str | None = TELLER) -> grpc.RpcError:
        """The error a call ends with (the test fails if it succeeds)."""
        with pytest.raises(grpc.RpcError) as caught:
            self.call(method, request, claims)
        return caught.value


def new_customer(family: str | None = None, **overrides: Any) -> c.Customer:
    """A valid German customer with unique name and document number (field overrides as keywords)."""
    family = family or f"Muster{uuid.uuid4().hex[:8]}"
    number = "C" + "".join("CFGHJKLMNPRTVWXYZ0123456789"[b % 27] for b in uuid.uuid4().bytes[:8])
    customer = c.Customer(
        given_names="Erika Maria",
        family_name=family,
        date_of_birth=date_pb2.Date(year=1985, month=8, day=12),
        place_of_birth="Köln",
        country_of_birth="DE",
        nationality="DE",
        residential_address=c.PostalAddress(
            address_lines=["Heidestraße 17"], locality="Köln", postal_code="51147", country_code="DE"
        ),
        identity_document=c.IdentityDocument(
            document_type=c.IDENTITY_DOCUMENT_TYPE_PASSPORT,
            document_number=number,
            issuing_country="DE",
            issue_date=date_pb2.Date(year=2020, month=1, day=10),
            expiry_date=date_pb2.Date(year=2030, month=1, day=9),
        ),
        email=f"{family.lower()}@example.com",
        phone_number="+4915112345689",
        branch_id=BRANCH,
        onboarding_channel=c.ONBOARDING_CHANNEL_BRANCH,
    )
    for name, value in overrides.items():
        if isinstance(value, str | int):
            setattr(customer, name, value)
        else:
            getattr(customer, name).CopyFrom(value)
    return customer


def registration(customer: c.Customer) -> dsvc.RegisterCustomerRequest:
    return dsvc.RegisterCustomerRequest(customer=customer, request_id=str(uuid.uuid4()))


def register(api: Api, customer: c.Customer, claims: str = TELLER) -> c.Customer:
    return api.call(api.directory.RegisterCustomer, registration(customer), claims).customer


def high_risk_customer() -> c.Customer:
    """A customer whose KYC check is referred to manual review (a high-risk second nationality)."""
    customer = new_customer()
    customer.additional_nationalities.append("IR")
    return customer


def kyc_request(customer_id: str) -> osvc.InitiateKycCheckRequest:
    return osvc.InitiateKycCheckRequest(
        customer_id=customer_id, trigger=k.KYC_CHECK_TRIGGER_ONBOARDING, request_id=str(uuid.uuid4())
    )


def start_kyc(api: Api, customer_id: str, claims: str = TELLER) -> k.KycCheck:
    return api.call(api.onboarding.InitiateKycCheck, kyc_request(customer_id), claims).kyc_check


def erase(api: Api, customer_id: str) -> dsvc.EraseCustomerResponse:
    request = dsvc.EraseCustomerRequest(
        customer_id=customer_id, reason=c.ERASURE_REASON_CONSENT_WITHDRAWN, request_id=str(uuid.uuid4())
    )
    return api.call(api.directory.EraseCustomer, request, ADMIN)


def error_details(error: grpc.RpcError) -> tuple[error_details_pb2.ErrorInfo, list]:
    """The ErrorInfo and the BadRequest field violations of a failed call."""
    info, violations = error_details_pb2.ErrorInfo(), []
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = list(bad.field_violations)
    return info, violations


def reason(error: grpc.RpcError) -> str:
    return error_details(error)[0].reason


def query(settings: Settings, sql: str, database: str = "customer", **params) -> list:
    """Rows of a SQL query on a service's database, read directly (not through the service)."""

    async def run():
        engine = create_async_engine(settings.postgres.url(database))
        try:
            async with engine.connect() as connection:
                return (await connection.execute(text(sql), params)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def data_keys(settings: Settings, customer_id: str) -> crypto.KeyRing:
    """The customer's data keys as the database holds them, unwrapped with the configured KEKs."""
    wrapper = crypto.KeyWrapper(load_keys(settings))
    rows = query(
        settings,
        "SELECT version, kek_id, wrapped_key FROM customer_data_keys WHERE customer_id = :id",
        id=customer_id,
    )
    wrapped = [crypto.WrappedKey(crypto.key_id(customer_id, v), kek, bytes(blob)) for v, kek, blob in rows]
    return crypto.KeyRing({w.key_id: wrapper.unwrap(w) for w in wrapped})


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `check()` until it gives something truthy (event consumers work asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)
