"""Calls to other services: the compliance service's sanctions and PEP screening (risk's ScreenParty)."""

from __future__ import annotations

import uuid

import grpc
import structlog
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rsvc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rsvc_grpc
from fintech.risk.v1 import sanctions_screening_pb2 as s

from services.customer.app.ports import Screened
from services.runtime.clients import ServiceClient
from services.runtime.errors import DomainError

log = structlog.get_logger("customer")
SCREENING_TIMEOUT = 2.0
_TRIGGERS: dict[k.KycCheckTrigger, s.ScreeningTrigger] = {
    k.KYC_CHECK_TRIGGER_ONBOARDING: s.SCREENING_TRIGGER_ONBOARDING,
    k.KYC_CHECK_TRIGGER_PERIODIC_REVIEW: s.SCREENING_TRIGGER_PERIODIC_REVIEW,
}
_OUTCOMES = {
    s.SANCTIONS_MATCH_STATUS_CLEAR: k.SANCTIONS_SCREENING_OUTCOME_CLEAR,
    s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH: k.SANCTIONS_SCREENING_OUTCOME_POTENTIAL_MATCH,
    s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH: k.SANCTIONS_SCREENING_OUTCOME_CONFIRMED_MATCH,
}


class ComplianceScreening:
    """The app's `Screening` port over the risk service's RegulatoryComplianceService."""

    def __init__(self, risk: ServiceClient) -> None:
        self.risk = risk

    async def screen(self, customer: c.Customer, trigger: k.KycCheckTrigger) -> Screened:
        """Screen the customer's name; (None, None) when the compliance service cannot answer."""
        party = s.ScreenedParty(
            party_id=customer.customer_id,
            party_type=s.PARTY_TYPE_INDIVIDUAL,
            full_name=f"{customer.given_names} {customer.family_name}".strip(),
            alias_names=[f"{customer.given_names} {customer.birth_family_name}"] if customer.birth_family_name else [],
            date_of_birth=customer.date_of_birth,
            country_code=customer.nationality,
        )
        screening_trigger = _TRIGGERS.get(trigger, s.SCREENING_TRIGGER_DATA_CHANGE)
        request = rsvc.ScreenPartyRequest(party=party, trigger=screening_trigger, request_id=str(uuid.uuid4()))
        stub = self.risk.stub(rsvc_grpc.RegulatoryComplianceServiceStub)
        try:
            response = await self.risk.call(stub.ScreenParty, request, timeout=SCREENING_TIMEOUT)
        except (grpc.aio.AioRpcError, DomainError) as error:
            code = error.code() if isinstance(error, grpc.aio.AioRpcError) else error.code
            log.warning("kyc.screening_unavailable", customer_id=customer.customer_id, code=code.name)
            return None, None
        screening = response.screening
        result = k.SanctionsScreeningResult(
            screening_id=screening.screening_id,
            outcome=_OUTCOMES.get(screening.match_status, k.SANCTIONS_SCREENING_OUTCOME_ERROR),
            matches=[
                k.SanctionsMatch(list_id=m.list_name, entry_id=m.list_entry_id, score=m.similarity_score)
                for m in screening.matches
            ],
            list_versions=[f"{v.list_name}@{v.list_version}" for v in screening.screened_lists],
        )
        if screening.HasField("screen_time"):
            result.screen_time.CopyFrom(screening.screen_time)
        return result, screening.match_status
