"""What every use case shares: the database, the keys, and the access and presentation rules around a record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from fintech.customer.v1 import kyc_check_pb2 as k
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters import events
from services.customer.adapters.crypto import KeyRing, KeyWrapper
from services.customer.adapters.db import personal_data, queries
from services.customer.adapters.db.models import CustomerRow, KycCheckRow
from services.customer.app.ports import Screening
from services.customer.config import CustomerKeys
from services.customer.domain import access, masking
from services.customer.domain.access import Action
from services.customer.domain.normalise import document_index, name_birth_index
from services.customer.domain.records import etag
from services.runtime import access as runtime_access
from services.runtime.access import Principal
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import AlreadyExists, NotFound, PermissionDenied

log = structlog.get_logger("customer")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CustomerContext:
    """The customer service's database, keys and identity, and the screening port."""

    database: Database
    settings: Settings
    keys: CustomerKeys
    screening: Screening | None = None
    wrapper: KeyWrapper = field(init=False)
    source: str = field(init=False)

    def __post_init__(self) -> None:
        self.wrapper = KeyWrapper(self.keys)
        self.source = self.settings.spiffe_id("customer")

    async def emit(self, session: AsyncSession, row: CustomerRow, event: Message) -> None:
        await events.emit(session, row, event, self.source)

    async def load(self, session: AsyncSession, customer_id: str, *, lock: bool = False) -> CustomerRow:
        """The customer's row; NOT_FOUND (or, to an owner-scoped caller, forbidden) when unknown or erased."""
        row = await queries.customer(session, uuid.UUID(customer_id), lock=lock)
        if row is None or row.state == c.CUSTOMER_STATE_ERASED:
            # To a caller who reaches only their own customers, unknown reads as forbidden (AIP-211).
            raise runtime_access.unknown(
                NotFound(f"customer {customer_id} not found", metadata={"customer_id": customer_id})
            )
        return row

    async def key_ring(self, session: AsyncSession, customer_id: uuid.UUID) -> KeyRing:
        return await personal_data.key_ring(session, self.wrapper, customer_id)

    async def open_record(
        self, session: AsyncSession, principal: Principal, customer_id: str, action: Action, *, lock: bool = False
    ) -> tuple[CustomerRow, KeyRing]:
        """The customer's row (NOT_FOUND once erased) if the principal may do `action` on it, and its data keys."""
        row = await self.load(session, customer_id, lock=lock)
        authorise(principal, action, row)
        return row, await self.key_ring(session, row.customer_id)

    def indexes(self, customer: c.Customer) -> tuple[str, str]:
        """The customer's blind indexes: of its identity document, of its names and date of birth."""
        document, birth, key = customer.identity_document, customer.date_of_birth, self.keys.pseudonym_key
        doc = document_index(key, document.document_type, document.issuing_country, document.document_number)
        name = name_birth_index(key, customer.given_names, customer.family_name, birth.year, birth.month, birth.day)
        return doc, name

    async def refuse_duplicate(
        self, session: AsyncSession, principal: Principal, customer: c.Customer, exclude: uuid.UUID | None
    ) -> tuple[str, str]:
        """ALREADY_EXISTS if another customer has the same identity data; else the customer's blind indexes."""
        doc, name = self.indexes(customer)
        existing = await queries.duplicate(session, doc, name, exclude)
        if existing is None:
            return doc, name
        matched = "identity_document" if existing.document_index == doc else "names_and_date_of_birth"
        metadata = {"matched_on": matched}
        if access.decide(
            principal, Action.READ, customer_id=str(existing.customer_id), branch_id=str(existing.branch_id)
        ).allowed:
            metadata["customer_id"] = str(existing.customer_id)
        raise AlreadyExists("a customer with the same identity data exists", metadata=metadata)


def authorise(principal: Principal, action: Action, row: CustomerRow | None = None, **attrs: str) -> None:
    if row is not None:
        attrs = {"customer_id": str(row.customer_id), "branch_id": str(row.branch_id)} | attrs
        # Ownership first, through the runtime's one helper (a customer's own, a teller's branch).
        runtime_access.require_owner(attrs["customer_id"], attrs["branch_id"])
    decision = access.decide(principal, action, **attrs)
    if not decision.allowed:
        raise PermissionDenied(f"access denied: {decision.why}")


def customer_view(principal: Principal, customer: c.Customer, requested: int) -> c.Customer:
    if access.pii_view(principal, customer.customer_id, requested) == c.PII_VIEW_MASKED:
        masking.mask_customer(customer)
    else:
        log.info("pii.full_read", customer_id=customer.customer_id, subject=principal.subject)
    return customer


def profile_view(principal: Principal, profile: p.CustomerProfile, requested: int) -> p.CustomerProfile:
    if access.pii_view(principal, profile.customer_id, requested) == c.PII_VIEW_MASKED:
        masking.mask_profile(profile)
    return profile


def kyc_view(principal: Principal, row: KycCheckRow, ring: KeyRing | None = None) -> k.KycCheck:
    """The check as the principal may see it; the reviewer's note (sealed) only for compliance, given the keys."""
    check = k.KycCheck.FromString(row.body)
    check.etag = etag(row.version)
    if access.sees_compliance_details(principal):
        if ring is not None and row.note:
            note = ring.open(personal_data.NOTE_FIELD, SealedValue.FromString(row.note))
            check.manual_review_resolution.note = note.decode()
    else:
        check.ClearField("sanctions_screening")
        kept = [r for r in check.reasons if r.step != k.KYC_STEP_SCREENING]
        del check.reasons[:]
        check.reasons.extend(kept)
        check.manual_review_resolution.note = ""
        check.compliance_details_withheld = True
    return check
