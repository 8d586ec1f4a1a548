"""The customer service's API edge: the four gRPC services of `fintech.customer.v1`.

Handlers check who is calling (services.runtime.access + domain.access), run the domain rules, and
change state and record events in one transaction. Logs carry ids only, never personal data.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import grpc
import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.customer.v1 import customer_behavior_models_service_pb2 as bsvc
from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from fintech.customer.v1 import customer_profile_service_pb2 as psvc
from fintech.customer.v1 import customer_profile_service_pb2_grpc as psvc_grpc
from fintech.customer.v1 import events_pb2 as ev
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rsvc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rsvc_grpc
from fintech.risk.v1 import sanctions_screening_pb2 as s
from google.protobuf import field_mask_pb2
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer import store
from services.customer.config import CustomerKeys
from services.customer.crypto import KeyRing, KeyWrapper, key_family
from services.customer.domain import access, insights, kyc, masking
from services.customer.domain.access import Action
from services.customer.domain.normalise import document_index, name_birth_index
from services.customer.models import CustomerRow, IdempotencyRow, KycCheckRow, PaymentActivityRow
from services.runtime import access as runtime_access
from services.runtime import paging as runtime_paging
from services.runtime.access import Principal
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import (
    Aborted,
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from services.runtime.validation import Violation

log = structlog.get_logger("customer")

IDENTITY_PATHS = frozenset({
    "given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth",
    "nationality", "additional_nationalities", "residential_address", "identity_document",
})  # fmt: skip
UPDATABLE_PATHS = IDENTITY_PATHS | {"branch_id"}
REQUIRED_PATHS = {"given_names", "family_name", "date_of_birth", "nationality", "residential_address",
                  "identity_document", "branch_id"}  # fmt: skip
PROFILE_PATHS = frozenset({
    "email", "phone_number", "postal_address", "preferences", "preferences.language_code", "preferences.time_zone",
    "preferences.notification_channels", "preferences.marketing_consent",
})  # fmt: skip
OPEN_CHECK_STATES = (k.KYC_CHECK_STATE_PENDING, k.KYC_CHECK_STATE_MANUAL_REVIEW)
SCREENING_TIMEOUT = 2.0
DEFAULT_PAGE_SIZE = 50


def _now() -> datetime:
    return datetime.now(UTC)


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def _request_hash(request) -> str:
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


def customer_number() -> str:
    """`C` and ten digits, the last a Luhn check digit (typing errors on the phone are caught)."""
    digits = [secrets.randbelow(10) for _ in range(9)]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return "C" + "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _check_etag(given: str, version: int, what: str) -> None:
    """Optimistic concurrency (AIP-154): ABORTED when the caller's etag is not the current one."""
    if given and given != store.etag(version):
        raise Aborted(f"the {what} changed since it was read", metadata={"etag": store.etag(version)})


def _reject(what: str, violations: list[Violation]) -> None:
    """INVALID_ARGUMENT with one field violation per broken rule, when there is any."""
    if violations:
        raise InvalidArgument(f"{what}: " + ", ".join(v.field for v in violations), violations=violations)


def _update_violations(request, resource_name: str, allowed: frozenset[str]) -> tuple[list[str], list[Violation]]:
    """The update mask's paths (deduplicated) and what is wrong with the mask, the etag and the resource id."""
    resource = getattr(request, resource_name)
    paths = list(dict.fromkeys(request.update_mask.paths))
    violations = [Violation("update_mask", f"path {path!r} cannot be updated") for path in paths if path not in allowed]
    if not paths:
        violations.append(Violation("update_mask", "must name at least one field"))
    if not resource.etag:
        violations.append(Violation(f"{resource_name}.etag", "must hold the etag last read"))
    if resource.customer_id and resource.customer_id != request.customer_id:
        violations.append(Violation(f"{resource_name}.customer_id", "must equal customer_id"))
    return paths, violations


async def _load_check(session: AsyncSession, row: CustomerRow, kyc_check_id: str, *, lock: bool = False) -> KycCheckRow:
    check_row = await session.get(KycCheckRow, _uuid(kyc_check_id), with_for_update=lock)
    if check_row is None or check_row.customer_id != row.customer_id:
        raise NotFound(f"KYC check {kyc_check_id} not found", metadata={"kyc_check_id": kyc_check_id})
    return check_row


@dataclass
class CustomerContext:
    """What every servicer shares: database, keys, settings, the risk client."""

    database: Database
    settings: Settings
    keys: CustomerKeys
    risk: ServiceClient | None = None

    def __post_init__(self) -> None:
        self.wrapper = KeyWrapper(self.keys)
        self.source = self.settings.spiffe_id("customer")

    def principal(self, context: grpc.aio.ServicerContext) -> Principal:
        """The person behind a public call (bound by the runtime's AccessControl, which refused anyone else)."""
        return runtime_access.caller()

    async def load(self, session: AsyncSession, customer_id: str, *, lock: bool = False) -> CustomerRow:
        query = select(CustomerRow).where(CustomerRow.customer_id == _uuid(customer_id))
        if lock:
            query = query.with_for_update()
        row = await session.scalar(query)
        if row is None or row.state == c.CUSTOMER_STATE_ERASED:
            # To a caller who reaches only their own customers, unknown reads as forbidden (AIP-211).
            raise runtime_access.unknown(
                NotFound(f"customer {customer_id} not found", metadata={"customer_id": customer_id})
            )
        return row

    async def open_record(
        self, session: AsyncSession, principal: Principal, customer_id: str, action: Action, *, lock: bool = False
    ) -> tuple[CustomerRow, KeyRing]:
        """The customer's row (NOT_FOUND once erased) if the principal may do `action` on it, and its data keys."""
        row = await self.load(session, customer_id, lock=lock)
        self.authorise(principal, action, row)
        return row, await store.key_ring(session, self.wrapper, row.customer_id)

    def authorise(self, principal: Principal, action: Action, row: CustomerRow | None = None, **attrs: str) -> None:
        if row is not None:
            attrs = {"customer_id": str(row.customer_id), "branch_id": str(row.branch_id)} | attrs
            # Ownership first, through the runtime's one helper (a customer's own, a teller's branch).
            runtime_access.require_owner(attrs["customer_id"], attrs["branch_id"])
        decision = access.decide(principal, action, **attrs)
        if not decision.allowed:
            raise PermissionDenied(f"access denied: {decision.why}")

    def view(self, principal: Principal, customer: c.Customer, requested: int) -> c.Customer:
        if access.pii_view(principal, customer.customer_id, requested) == c.PII_VIEW_MASKED:
            masking.mask_customer(customer)
        else:
            log.info("pii.full_read", customer_id=customer.customer_id, subject=principal.subject)
        return customer

    def profile_view(self, principal: Principal, profile: p.CustomerProfile, requested: int) -> p.CustomerProfile:
        if access.pii_view(principal, profile.customer_id, requested) == c.PII_VIEW_MASKED:
            masking.mask_profile(profile)
        return profile

    async def page(self, session: AsyncSession, query, order: tuple, request, fingerprint: str) -> tuple[Sequence, str]:
        """One page of `query` in `order` and the next page's token, signed and bound to the request's filters
        and caller (`fingerprint`): it can neither be forged nor reused with other filters."""
        return await runtime_paging.keyset_page(session, query, order, request, self.keys.page_token_key, fingerprint,
                                                default_size=DEFAULT_PAGE_SIZE)  # fmt: skip

    async def idempotent(self, session: AsyncSession, method: str, request) -> IdempotencyRow | None:
        row = await session.get(IdempotencyRow, (method, _uuid(request.request_id)))
        if row is not None and row.request_hash != _request_hash(request):
            raise FailedPrecondition(
                "the request_id was used with a different request",
                reason=ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
            )
        return row

    def remember(self, session: AsyncSession, method: str, request, customer_id: uuid.UUID, result_id: str) -> None:
        session.add(
            IdempotencyRow(
                method=method,
                request_id=_uuid(request.request_id),
                request_hash=_request_hash(request),
                customer_id=customer_id,
                result_id=result_id,
            )
        )

    async def find_duplicate(
        self, session: AsyncSession, doc: str, name: str, exclude: uuid.UUID | None
    ) -> CustomerRow | None:
        query = select(CustomerRow).where(
            CustomerRow.state != c.CUSTOMER_STATE_ERASED,
            or_(CustomerRow.document_index == doc, CustomerRow.name_birth_index == name),
        )
        if exclude is not None:
            query = query.where(CustomerRow.customer_id != exclude)
        return await session.scalar(query.limit(1))

    def duplicate_error(self, principal: Principal, existing: CustomerRow, doc: str) -> AlreadyExists:
        matched = "identity_document" if existing.document_index == doc else "names_and_date_of_birth"
        metadata = {"matched_on": matched}
        if access.decide(
            principal, Action.READ, customer_id=str(existing.customer_id), branch_id=str(existing.branch_id)
        ).allowed:
            metadata["customer_id"] = str(existing.customer_id)
        return AlreadyExists("a customer with the same identity data exists", metadata=metadata)


def _indexes(keys: CustomerKeys, customer: c.Customer) -> tuple[str, str]:
    document = customer.identity_document
    birth = customer.date_of_birth
    doc = document_index(keys.pseudonym_key, document.document_type, document.issuing_country, document.document_number)
    name = name_birth_index(
        keys.pseudonym_key, customer.given_names, customer.family_name, birth.year, birth.month, birth.day
    )
    return doc, name


def _kyc_view(principal: Principal, row: KycCheckRow, ring: KeyRing | None = None) -> k.KycCheck:
    """The check as the principal may see it; the reviewer's note (sealed) only for compliance, given the keys."""
    check = k.KycCheck.FromString(row.body)
    check.etag = store.etag(row.version)
    if access.sees_compliance_details(principal):
        if ring is not None and row.note:
            note = ring.open(store.NOTE_FIELD, SealedValue.FromString(row.note))
            check.manual_review_resolution.note = note.decode()
    else:
        check.ClearField("sanctions_screening")
        kept = [r for r in check.reasons if r.step != k.KYC_STEP_SCREENING]
        del check.reasons[:]
        check.reasons.extend(kept)
        check.manual_review_resolution.note = ""
        check.compliance_details_withheld = True
    return check


def _verification_changed(row: CustomerRow, previous: int, check_id: str, codes) -> ev.CustomerVerificationChanged:
    return ev.CustomerVerificationChanged(
        customer_id=str(row.customer_id),
        previous_state=previous,
        state=row.state,
        payments_allowed=row.state == c.CUSTOMER_STATE_VERIFIED,
        kyc_check_id=check_id,
        reason_codes=list(codes),
    )


async def _cancel_open_checks(ctx: CustomerContext, session: AsyncSession, row: CustomerRow, why: int) -> None:
    checks = (
        await session.scalars(
            select(KycCheckRow)
            .where(KycCheckRow.customer_id == row.customer_id, KycCheckRow.state.in_(OPEN_CHECK_STATES))
            .with_for_update()
        )
    ).all()
    for check_row in checks:
        check = k.KycCheck.FromString(check_row.body)
        previous = check.state
        check.state = k.KYC_CHECK_STATE_CANCELLED
        check.cancel_reason = why
        check.update_time.FromDatetime(_now())
        check_row.state, check_row.body, check_row.version = (
            check.state,
            check.SerializeToString(),
            check_row.version + 1,
        )
        await store.emit(
            session,
            row,
            ev.KycCheckCancelled(
                customer_id=str(row.customer_id),
                kyc_check_id=str(check_row.kyc_check_id),
                cancel_reason=why,
                previous_state=previous,
            ),
            ctx.source,
        )


class _Servicer:
    """A servicer of the customer service: every RPC works with the shared CustomerContext."""

    def __init__(self, ctx: CustomerContext) -> None:
        self.ctx = ctx


class CustomerDirectory(_Servicer, dsvc_grpc.CustomerDirectoryServiceServicer):
    async def RegisterCustomer(self, request: dsvc.RegisterCustomerRequest, context) -> dsvc.RegisterCustomerResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        customer = request.customer
        ctx.authorise(principal, Action.REGISTER, customer_id="", branch_id=customer.branch_id)
        self_service = principal.has(access.CUSTOMER) and not principal.roles & {access.TELLER, access.ADMIN}
        online = (c.ONBOARDING_CHANNEL_ONLINE, c.ONBOARDING_CHANNEL_MOBILE_APP)
        if self_service and customer.onboarding_channel not in online:
            raise PermissionDenied("self-registration only through the online channels")
        _reject("invalid identity data", kyc.identity_violations(customer, date.today()))
        async with ctx.database.transaction() as session:
            remembered = await ctx.idempotent(session, "RegisterCustomer", request)
            if remembered is not None:
                row = await ctx.load(session, remembered.result_id)
                ring = await store.key_ring(session, ctx.wrapper, row.customer_id)
                return dsvc.RegisterCustomerResponse(
                    customer=ctx.view(principal, store.open_customer(row, ring), c.PII_VIEW_UNSPECIFIED)
                )
            doc, name = _indexes(ctx.keys, customer)
            existing = await ctx.find_duplicate(session, doc, name, None)
            if existing is not None:
                raise ctx.duplicate_error(principal, existing, doc)
            customer_id = uuid.uuid4()
            now = _now()
            row = CustomerRow(
                customer_id=customer_id,
                customer_number=customer_number(),
                state=c.CUSTOMER_STATE_PENDING,
                branch_id=_uuid(customer.branch_id),
                onboarding_channel=customer.onboarding_channel,
                version=1,
                event_sequence=0,
                profile_version=1,
                document_index=doc,
                name_birth_index=name,
                registered_by=principal.subject,
                identity_changed_by=principal.subject,
                state_change_time=now,
                create_time=now,
                update_time=now,
                profile_update_time=now,
            )
            session.add(row)
            await session.flush()
            ring = await store.create_data_key(session, ctx.wrapper, customer_id)
            names = list(store.PII_FIELDS)
            sealed = store.seal_fields(ring, customer, names)
            store.store_sealed(row, sealed, names)
            ctx.remember(session, "RegisterCustomer", request, customer_id, str(customer_id))
            event = ev.CustomerRegistered(
                customer_id=str(customer_id),
                customer_number=row.customer_number,
                branch_id=customer.branch_id,
                state=row.state,
                onboarding_channel=row.onboarding_channel,
                personal_data=sealed,
            )
            await store.emit(session, row, event, ctx.source)
            result = store.open_customer(row, ring)
        log.info("customer.registered", customer_id=str(customer_id))
        return dsvc.RegisterCustomerResponse(customer=ctx.view(principal, result, c.PII_VIEW_UNSPECIFIED))

    async def RetrieveCustomer(self, request: dsvc.RetrieveCustomerRequest, context) -> dsvc.RetrieveCustomerResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        async with ctx.database.session() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.READ)
            customer = store.open_customer(row, ring)
        return dsvc.RetrieveCustomerResponse(customer=ctx.view(principal, customer, request.pii_view))

    async def UpdateCustomer(self, request: dsvc.UpdateCustomerRequest, context) -> dsvc.UpdateCustomerResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        paths, violations = _update_violations(request, "customer", UPDATABLE_PATHS)
        for path in paths:
            if path in REQUIRED_PATHS and not _has(request.customer, path):
                violations.append(Violation(f"customer.{path}", "is required and cannot be cleared"))
        _reject("invalid update", violations + kyc.identity_violations(request.customer, date.today(), paths=paths))
        async with ctx.database.transaction() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.UPDATE, lock=True)
            if (
                "branch_id" in paths
                and request.customer.branch_id != str(row.branch_id)
                and not principal.has(access.ADMIN)
            ):
                raise PermissionDenied("moving a customer to another branch needs a back-office role")
            _check_etag(request.customer.etag, row.version, "customer")
            current = store.open_customer(row, ring)
            changed = c.Customer()
            changed.CopyFrom(current)
            for path in paths:
                changed.ClearField(path)
                if path == "additional_nationalities":
                    changed.additional_nationalities.extend(request.customer.additional_nationalities)
                elif path in ("date_of_birth", "residential_address", "identity_document"):
                    if request.customer.HasField(path):
                        getattr(changed, path).CopyFrom(getattr(request.customer, path))
                else:
                    setattr(changed, path, getattr(request.customer, path))
            identity_changed = any(path in IDENTITY_PATHS for path in paths)
            if identity_changed:
                doc, name = _indexes(ctx.keys, changed)
                existing = await ctx.find_duplicate(session, doc, name, row.customer_id)
                if existing is not None:
                    raise ctx.duplicate_error(principal, existing, doc)
                row.document_index, row.name_birth_index = doc, name
                row.identity_changed_by = principal.subject
            pii = [path for path in paths if path in IDENTITY_PATHS]
            sealed = store.seal_fields(ring, changed, pii)
            store.store_sealed(row, sealed, pii)
            previous_branch = str(row.branch_id)
            if "branch_id" in paths:
                row.branch_id = _uuid(changed.branch_id)
            row.version += 1
            row.update_time = _now()
            await store.emit(
                session,
                row,
                ev.CustomerUpdated(
                    customer_id=str(row.customer_id),
                    update_mask=field_mask_pb2.FieldMask(paths=paths),
                    personal_data=sealed,
                    branch_id=str(row.branch_id),
                    previous_branch_id=previous_branch if previous_branch != str(row.branch_id) else "",
                    identity_data_changed=identity_changed,
                    etag=store.etag(row.version),
                ),
                ctx.source,
            )
            if identity_changed:
                await _cancel_open_checks(ctx, session, row, k.KYC_CHECK_CANCEL_REASON_IDENTITY_DATA_CHANGED)
                if row.state != c.CUSTOMER_STATE_PENDING:
                    previous = row.state
                    row.state, row.state_change_time, row.state_kyc_check_id = c.CUSTOMER_STATE_PENDING, _now(), None
                    await store.emit(session, row, _verification_changed(row, previous, "", []), ctx.source)
            result = store.open_customer(row, ring)
        return dsvc.UpdateCustomerResponse(customer=ctx.view(principal, result, c.PII_VIEW_UNSPECIFIED))

    async def ListCustomers(self, request: dsvc.ListCustomersRequest, context) -> dsvc.ListCustomersResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        branch_id = request.branch_id
        if principal.has(access.TELLER) and not principal.has(
            access.ADMIN, access.RISK_OFFICER, access.COMPLIANCE_OFFICER
        ):
            if branch_id and branch_id != principal.branch_id:
                raise PermissionDenied("a teller lists only customers of their own branch")
            branch_id = principal.branch_id
        ctx.authorise(principal, Action.LIST, customer_id="", branch_id=branch_id)
        states = sorted(set(request.states))
        times = (
            request.min_create_time.ToJsonString() if request.HasField("min_create_time") else "",
            request.max_create_time.ToJsonString() if request.HasField("max_create_time") else "",
        )
        fingerprint = runtime_paging.fingerprint(states, branch_id, times, request.pii_view, principal.subject)
        query = select(CustomerRow).where(CustomerRow.state != c.CUSTOMER_STATE_ERASED)
        if states:
            query = query.where(CustomerRow.state.in_(states))
        if branch_id:
            query = query.where(CustomerRow.branch_id == _uuid(branch_id))
        if request.HasField("min_create_time"):
            query = query.where(CustomerRow.create_time >= request.min_create_time.ToDatetime(UTC))
        if request.HasField("max_create_time"):
            query = query.where(CustomerRow.create_time < request.max_create_time.ToDatetime(UTC))
        order = (CustomerRow.create_time, CustomerRow.customer_id)
        async with ctx.database.session() as session:
            rows, next_page_token = await ctx.page(session, query, order, request, fingerprint)
            response = dsvc.ListCustomersResponse(next_page_token=next_page_token)
            for row in rows:
                ring = await store.key_ring(session, ctx.wrapper, row.customer_id)
                response.customers.append(ctx.view(principal, store.open_customer(row, ring), request.pii_view))
        return response

    async def EraseCustomer(self, request: dsvc.EraseCustomerRequest, context) -> dsvc.EraseCustomerResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        async with ctx.database.transaction() as session:
            remembered = await ctx.idempotent(session, "EraseCustomer", request)
            if remembered is not None:
                row = await session.get(CustomerRow, remembered.customer_id)
                response = dsvc.EraseCustomerResponse(customer_id=str(row.customer_id), state=row.state)
                response.erase_time.FromDatetime(row.erase_time)
                return response
            row = await ctx.load(session, request.customer_id, lock=True)
            ctx.authorise(principal, Action.ERASE, row)
            _check_etag(request.etag, row.version, "customer")
            await _cancel_open_checks(ctx, session, row, k.KYC_CHECK_CANCEL_REASON_CUSTOMER_ERASED)
            destroyed = await store.destroy_data_keys(session, row.customer_id)
            for name in (*store.PII_FIELDS, "postal_address", "preferences"):
                setattr(row, name, None)
            note_clear = update(KycCheckRow).where(KycCheckRow.customer_id == row.customer_id).values(note=None)
            await session.execute(note_clear)
            await session.execute(delete(PaymentActivityRow).where(PaymentActivityRow.customer_id == row.customer_id))
            previous = row.state
            now = _now()
            row.document_index = row.name_birth_index = None
            row.state, row.state_change_time, row.erase_time, row.update_time = c.CUSTOMER_STATE_ERASED, now, now, now
            row.version += 1
            ctx.remember(session, "EraseCustomer", request, row.customer_id, str(row.customer_id))
            await store.emit(
                session,
                row,
                ev.CustomerErased(
                    customer_id=str(row.customer_id),
                    reason=request.reason,
                    previous_state=previous,
                    data_key_id=key_family(str(row.customer_id)),
                ),
                ctx.source,
            )
        log.info(
            "customer.erased", customer_id=str(row.customer_id), data_keys_destroyed=destroyed, reason=request.reason
        )
        response = dsvc.EraseCustomerResponse(customer_id=str(row.customer_id), state=c.CUSTOMER_STATE_ERASED)
        response.erase_time.FromDatetime(now)
        return response


def _has(customer: c.Customer, path: str) -> bool:
    if path in ("date_of_birth", "residential_address", "identity_document"):
        return customer.HasField(path)
    return bool(getattr(customer, path))


class CustomerOnboarding(_Servicer, osvc_grpc.CustomerOnboardingServiceServicer):
    async def InitiateKycCheck(self, request: osvc.InitiateKycCheckRequest, context) -> osvc.InitiateKycCheckResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        now = _now()
        async with ctx.database.transaction() as session:
            remembered = await ctx.idempotent(session, "InitiateKycCheck", request)
            if remembered is not None:
                check_row = await session.get(KycCheckRow, _uuid(remembered.result_id))
                return osvc.InitiateKycCheckResponse(kyc_check=_kyc_view(principal, check_row))
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.INITIATE_KYC, lock=True)
            _check_etag(request.customer_etag, row.version, "customer")
            open_check = await session.scalar(
                select(KycCheckRow.kyc_check_id).where(
                    KycCheckRow.customer_id == row.customer_id, KycCheckRow.state.in_(OPEN_CHECK_STATES)
                )
            )
            if open_check is not None:
                raise FailedPrecondition(
                    "the customer has an open KYC check",
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"kyc_check_id": str(open_check)},
                )
            check_id = uuid.uuid4()
            check = k.KycCheck(
                kyc_check_id=str(check_id),
                customer_id=str(row.customer_id),
                state=k.KYC_CHECK_STATE_PENDING,
                trigger=request.trigger,
                customer_etag=store.etag(row.version),
            )
            check.create_time.FromDatetime(now)
            check.update_time.FromDatetime(now)
            session.add(KycCheckRow(kyc_check_id=check_id, customer_id=row.customer_id, state=check.state, version=1,
                                    body=check.SerializeToString(), create_time=now))  # fmt: skip
            row.latest_kyc_check_id = check_id
            ctx.remember(session, "InitiateKycCheck", request, row.customer_id, str(check_id))
            await store.emit(
                session,
                row,
                ev.KycCheckInitiated(
                    customer_id=str(row.customer_id),
                    kyc_check_id=str(check_id),
                    trigger=request.trigger,
                    customer_etag=check.customer_etag,
                ),  # fmt: skip
                ctx.source,
            )
            customer = store.open_customer(row, ring)
            version = row.version
        log.info("kyc.initiated", customer_id=request.customer_id, kyc_check_id=str(check_id))

        # The automatic steps, outside any transaction: the screening is a network call.
        steps = kyc.evaluate(customer, date.today())
        screening, match_status = await self._screen(customer, request.trigger)
        screen_reasons, screen_outcome = kyc.screening_reasons(match_status)
        reasons = kyc.worst_first([*steps.reasons, *screen_reasons])
        state = kyc.check_state(reasons)
        done = _now()
        check.state = state
        check.reasons.extend(reasons)
        for step, outcome in [*steps.outcomes, (k.KYC_STEP_SCREENING, screen_outcome)]:
            result = check.step_results.add(step=step, outcome=outcome)
            result.complete_time.FromDatetime(done)
        if screening is not None:
            check.sanctions_screening.CopyFrom(screening)
        check.complete_time.FromDatetime(done)
        check.update_time.FromDatetime(done)

        async with ctx.database.transaction() as session:
            row = await ctx.load(session, request.customer_id, lock=True)
            check_row = await session.get(KycCheckRow, check_id, with_for_update=True)
            if check_row.state != k.KYC_CHECK_STATE_PENDING or row.version != version:
                return osvc.InitiateKycCheckResponse(kyc_check=_kyc_view(principal, check_row))  # cancelled meanwhile
            check_row.state, check_row.body, check_row.version = state, check.SerializeToString(), 2
            await store.emit(
                session,
                row,
                ev.KycCheckCompleted(
                    customer_id=str(row.customer_id),
                    kyc_check_id=str(check_id),
                    state=state,
                    reasons=reasons,
                    step_results=check.step_results,
                    screening_id=screening.screening_id if screening else "",
                    screening_outcome=screening.outcome if screening else k.SANCTIONS_SCREENING_OUTCOME_UNSPECIFIED,
                ),
                ctx.source,
            )
            await self._set_state(session, row, kyc.CUSTOMER_STATE_OF_CHECK[state], check_id, [r.code for r in reasons])
        log.info(
            "kyc.completed",
            customer_id=request.customer_id,
            kyc_check_id=str(check_id),
            state=k.KycCheckState.Name(state),
        )
        return osvc.InitiateKycCheckResponse(kyc_check=_kyc_view(principal, check_row))

    async def _set_state(self, session: AsyncSession, row: CustomerRow, state: int, check_id: uuid.UUID, codes) -> None:
        row.state_kyc_check_id = check_id
        if row.state == state:
            return
        previous = row.state
        row.state, row.state_change_time = state, _now()
        if state == c.CUSTOMER_STATE_VERIFIED:
            row.verify_time = row.state_change_time
        await store.emit(session, row, _verification_changed(row, previous, str(check_id), codes), self.ctx.source)

    async def _screen(self, customer: c.Customer, trigger: int) -> tuple[k.SanctionsScreeningResult | None, int | None]:
        """Screen the customer's name through the compliance service; (None, None) when it cannot answer."""
        if self.ctx.risk is None:
            return None, None
        party = s.ScreenedParty(
            party_id=customer.customer_id,
            party_type=s.PARTY_TYPE_INDIVIDUAL,
            full_name=f"{customer.given_names} {customer.family_name}".strip(),
            alias_names=[f"{customer.given_names} {customer.birth_family_name}"] if customer.birth_family_name else [],
            date_of_birth=customer.date_of_birth,
            country_code=customer.nationality,
        )
        screening_trigger = {
            k.KYC_CHECK_TRIGGER_ONBOARDING: s.SCREENING_TRIGGER_ONBOARDING,
            k.KYC_CHECK_TRIGGER_PERIODIC_REVIEW: s.SCREENING_TRIGGER_PERIODIC_REVIEW,
        }.get(trigger, s.SCREENING_TRIGGER_DATA_CHANGE)
        request = rsvc.ScreenPartyRequest(party=party, trigger=screening_trigger, request_id=str(uuid.uuid4()))
        stub = self.ctx.risk.stub(rsvc_grpc.RegulatoryComplianceServiceStub)
        try:
            response = await self.ctx.risk.call(stub.ScreenParty, request, timeout=SCREENING_TIMEOUT)
        except (grpc.aio.AioRpcError, DomainError) as error:
            code = error.code() if isinstance(error, grpc.aio.AioRpcError) else error.code
            log.warning("kyc.screening_unavailable", customer_id=customer.customer_id, code=code.name)
            return None, None
        screening = response.screening
        outcome = {
            s.SANCTIONS_MATCH_STATUS_CLEAR: k.SANCTIONS_SCREENING_OUTCOME_CLEAR,
            s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH: k.SANCTIONS_SCREENING_OUTCOME_POTENTIAL_MATCH,
            s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH: k.SANCTIONS_SCREENING_OUTCOME_CONFIRMED_MATCH,
        }.get(screening.match_status, k.SANCTIONS_SCREENING_OUTCOME_ERROR)
        result = k.SanctionsScreeningResult(
            screening_id=screening.screening_id,
            outcome=outcome,
            matches=[
                k.SanctionsMatch(list_id=m.list_name, entry_id=m.list_entry_id, score=m.similarity_score)
                for m in screening.matches
            ],
            list_versions=[f"{v.list_name}@{v.list_version}" for v in screening.screened_lists],
        )
        if screening.HasField("screen_time"):
            result.screen_time.CopyFrom(screening.screen_time)
        return result, screening.match_status

    async def RetrieveKycCheck(self, request: osvc.RetrieveKycCheckRequest, context) -> osvc.RetrieveKycCheckResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        async with ctx.database.session() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.READ)
            check_row = await _load_check(session, row, request.kyc_check_id)
            return osvc.RetrieveKycCheckResponse(kyc_check=_kyc_view(principal, check_row, ring))

    async def ListKycChecks(self, request: osvc.ListKycChecksRequest, context) -> osvc.ListKycChecksResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        query = select(KycCheckRow)
        async with ctx.database.session() as session:
            if request.customer_id == "-":
                ctx.authorise(principal, Action.LIST_ALL_KYC)
                query = query.join(CustomerRow, CustomerRow.customer_id == KycCheckRow.customer_id).where(
                    CustomerRow.state != c.CUSTOMER_STATE_ERASED
                )
            else:
                row = await ctx.load(session, request.customer_id)
                ctx.authorise(principal, Action.READ, row)
                query = query.where(KycCheckRow.customer_id == row.customer_id)
            states = sorted(set(request.states))
            if states:
                query = query.where(KycCheckRow.state.in_(states))
            fingerprint = runtime_paging.fingerprint("kyc", request.customer_id, states, principal.subject)
            order = (KycCheckRow.create_time, KycCheckRow.kyc_check_id)
            rows, next_page_token = await ctx.page(session, query, order, request, fingerprint)
        return osvc.ListKycChecksResponse(
            kyc_checks=[_kyc_view(principal, r) for r in rows], next_page_token=next_page_token
        )

    async def ControlKycCheck(self, request: osvc.ControlKycCheckRequest, context) -> osvc.ControlKycCheckResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        approve = request.decision == k.MANUAL_REVIEW_DECISION_APPROVE
        if approve and request.reason_codes:
            raise InvalidArgument(
                "an approval takes no reason codes",
                violations=[Violation("reason_codes", "must be empty for an approval")],
            )
        if not approve and not request.reason_codes:
            raise InvalidArgument(
                "a rejection needs reason codes",
                violations=[Violation("reason_codes", "must name at least one reason")],
            )
        async with ctx.database.transaction() as session:
            remembered = await ctx.idempotent(session, "ControlKycCheck", request)
            if remembered is not None:
                check_row = await session.get(KycCheckRow, _uuid(remembered.result_id))
                ring = await store.key_ring(session, ctx.wrapper, check_row.customer_id)
                return osvc.ControlKycCheckResponse(kyc_check=_kyc_view(principal, check_row, ring))
            row = await ctx.load(session, request.customer_id, lock=True)
            ctx.authorise(principal, Action.RESOLVE_KYC, row)
            if principal.subject in (row.registered_by, row.identity_changed_by):
                raise PermissionDenied(
                    "four eyes: the reviewer registered or last changed this customer's identity data"
                )
            check_row = await _load_check(session, row, request.kyc_check_id, lock=True)
            _check_etag(request.etag, check_row.version, "check")
            if check_row.state != k.KYC_CHECK_STATE_MANUAL_REVIEW:
                raise FailedPrecondition(
                    "the check is not in manual review", reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION
                )
            ring = await store.key_ring(session, ctx.wrapper, row.customer_id)
            sealed_note = ring.seal(store.NOTE_FIELD, request.note.encode())
            state = k.KYC_CHECK_STATE_VERIFIED if approve else k.KYC_CHECK_STATE_REJECTED
            codes = (
                [k.KYC_REASON_CODE_APPROVED_BY_REVIEWER]
                if approve
                else [k.KYC_REASON_CODE_REJECTED_BY_REVIEWER, *request.reason_codes]
            )
            check = k.KycCheck.FromString(check_row.body)
            now = _now()
            check.state = state
            review = kyc.reason(codes[0], k.KYC_STEP_MANUAL_REVIEW, "", "Decided by a compliance officer.")
            check.reasons.insert(0, review)
            check.step_results.add(
                step=k.KYC_STEP_MANUAL_REVIEW,
                outcome=k.KYC_STEP_OUTCOME_PASSED if approve else k.KYC_STEP_OUTCOME_FAILED,
            )
            check.step_results[-1].complete_time.FromDatetime(now)
            resolution = check.manual_review_resolution
            resolution.decision, resolution.reviewer_id = request.decision, principal.subject
            resolution.reason_codes.extend(request.reason_codes)
            resolution.resolve_time.FromDatetime(now)
            check.update_time.FromDatetime(now)
            check_row.state, check_row.body, check_row.version = state, check.SerializeToString(), check_row.version + 1
            check_row.note = sealed_note.SerializeToString()
            ctx.remember(session, "ControlKycCheck", request, row.customer_id, str(check_row.kyc_check_id))
            await store.emit(
                session,
                row,
                ev.KycCheckManuallyResolved(
                    customer_id=str(row.customer_id),
                    kyc_check_id=str(check_row.kyc_check_id),
                    decision=request.decision,
                    state=state,
                    reason_codes=codes,
                    reviewer_id=principal.subject,
                    note=sealed_note,
                ),  # fmt: skip
                ctx.source,
            )
            await self._set_state(session, row, kyc.CUSTOMER_STATE_OF_CHECK[state], check_row.kyc_check_id, codes)
            return osvc.ControlKycCheckResponse(kyc_check=_kyc_view(principal, check_row, ring))

    async def RetrieveCustomerVerification(self, request, context) -> osvc.RetrieveCustomerVerificationResponse:  # noqa: N802
        # Only workloads the mesh policy allows (payments) reach this; it holds no personal data.
        response = osvc.RetrieveCustomerVerificationResponse(customer_id=request.customer_id)
        async with self.ctx.database.session() as session:
            row = await session.get(CustomerRow, _uuid(request.customer_id))
        if row is None:
            return response
        response.exists = True
        response.erased = row.state == c.CUSTOMER_STATE_ERASED
        response.state = row.state
        response.payments_allowed = row.state == c.CUSTOMER_STATE_VERIFIED
        response.kyc_check_id = str(row.state_kyc_check_id) if row.state_kyc_check_id else ""
        if row.verify_time:
            response.verify_time.FromDatetime(row.verify_time)
        response.state_change_time.FromDatetime(row.state_change_time)
        return response


class CustomerProfiles(_Servicer, psvc_grpc.CustomerProfileServiceServicer):
    async def RetrieveCustomerProfile(self, request, context) -> psvc.RetrieveCustomerProfileResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        async with ctx.database.session() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.READ)
            profile = store.open_profile(row, ring)
        return psvc.RetrieveCustomerProfileResponse(profile=ctx.profile_view(principal, profile, request.pii_view))

    async def UpdateCustomerProfile(self, request, context) -> psvc.UpdateCustomerProfileResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        paths, violations = _update_violations(request, "profile", PROFILE_PATHS)
        new = request.profile
        for name in ("email", "phone_number"):
            if name in paths and not getattr(new, name):
                violations.append(Violation(f"profile.{name}", "cannot be cleared"))
        consent_changed = bool({"preferences", "preferences.marketing_consent"} & set(paths))
        if consent_changed and not new.preferences.marketing_consent.policy_version:
            violations.append(
                Violation("profile.preferences.marketing_consent.policy_version", "is required when consent changes")
            )
        if "postal_address" in paths and new.HasField("postal_address"):
            violations += kyc.address_violations(new.postal_address, "profile.postal_address")
        _reject("invalid profile update", violations)
        async with ctx.database.transaction() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.UPDATE_PROFILE, lock=True)
            _check_etag(new.etag, row.profile_version, "profile")
            profile = store.open_profile(row, ring)
            preferences = profile.preferences
            now = _now()
            for path in paths:
                if path in ("email", "phone_number"):
                    setattr(profile, path, getattr(new, path))
                elif path == "postal_address":
                    profile.ClearField("postal_address")
                    if new.HasField("postal_address"):
                        profile.postal_address.CopyFrom(new.postal_address)
                elif path == "preferences":
                    preferences.CopyFrom(new.preferences)
                else:
                    name = path.removeprefix("preferences.")
                    preferences.ClearField(name)
                    if name == "notification_channels":
                        preferences.notification_channels.extend(new.preferences.notification_channels)
                    elif name == "marketing_consent":
                        preferences.marketing_consent.CopyFrom(new.preferences.marketing_consent)
                    else:
                        setattr(preferences, name, getattr(new.preferences, name))
            if consent_changed:
                preferences.marketing_consent.consent_time.FromDatetime(now)
            contacts = [path for path in paths if path in ("email", "phone_number", "postal_address")]
            sealed = store.seal_fields(ring, profile, contacts)
            store.store_sealed(row, sealed, contacts)
            row.preferences = preferences.SerializeToString()
            row.profile_version += 1
            row.profile_update_time = now
            await store.emit(
                session,
                row,
                ev.CustomerProfileUpdated(
                    customer_id=str(row.customer_id),
                    update_mask=field_mask_pb2.FieldMask(paths=paths),
                    personal_data=sealed,
                    preferences=preferences,
                    etag=store.etag(row.profile_version),
                ),  # fmt: skip
                ctx.source,
            )
            result = store.open_profile(row, ring)
        return psvc.UpdateCustomerProfileResponse(profile=ctx.profile_view(principal, result, c.PII_VIEW_UNSPECIFIED))


class CustomerBehaviorModels(_Servicer, bsvc_grpc.CustomerBehaviorModelsServiceServicer):
    async def RetrieveBehaviorInsights(self, request, context) -> bsvc.RetrieveBehaviorInsightsResponse:  # noqa: N802
        ctx = self.ctx
        principal = ctx.principal(context)
        now = _now()
        window = request.window or bsvc.BEHAVIOR_WINDOW_LAST_90_DAYS
        async with ctx.database.session() as session:
            row, ring = await ctx.open_record(session, principal, request.customer_id, Action.READ)
            profile = store.open_profile(row, ring)
            customer = store.open_customer(row, ring)
            facts = (
                await session.scalars(
                    select(PaymentActivityRow).where(
                        and_(
                            PaymentActivityRow.customer_id == row.customer_id,
                            PaymentActivityRow.execute_time.is_not(None),
                            PaymentActivityRow.execute_time >= now - insights.WINDOWS[window],
                        )
                    )
                )
            ).all()
        time_zone = profile.preferences.time_zone or insights.DEFAULT_TIME_ZONES.get(
            customer.residential_address.country_code, "UTC"
        )
        result = insights.build(
            request.customer_id,
            [
                insights.PaymentFact(
                    f.amount_minor,
                    f.currency_code,
                    f.category,
                    f.counterparty_key,
                    f.counterparty_account_id,
                    f.masked_account_identifier,
                    f.execute_time,
                )  # fmt: skip
                for f in facts
            ],
            window=window,
            now=now,
            time_zone=time_zone,
            max_counterparties=request.max_counterparties,
        )
        return bsvc.RetrieveBehaviorInsightsResponse(behavior_insights=result)
