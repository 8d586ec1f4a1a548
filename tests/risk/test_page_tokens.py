"""Risk's list RPCs page with the runtime's signed tokens (services.runtime.paging): a token reads back only on the
list and filters it was issued for; anything else (malformed, forged, another list's or another filter's) is
INVALID_ARGUMENT with a field violation on `page_token`, never INTERNAL (the bad-input fuzzing once found tokens
that crashed the list handlers)."""

from __future__ import annotations

import uuid

import grpc
import pytest
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_pb
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rc_grpc

from services.runtime.config import Settings
from tests.customer.support import error_details
from tests.features.support import channel
from tests.risk.test_risk_service import MODELED, _fraud, _transaction

# The model up first: fraud calls while ml is down would open risk's breaker to it for the tests after these.
pytestmark = MODELED


async def _fails(call, request) -> list[str]:
    """The fields the INVALID_ARGUMENT of a failed call names."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(request, timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
    info, violations = error_details(caught.value)
    assert info.reason == "INVALID_PAGE_TOKEN"
    return [v.field for v in violations]


async def test_fraud_assessments_page_newest_first_and_foreign_tokens_are_invalid_argument(settings: Settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    made = [(await _fraud(settings, _transaction(customer, account, 1_000 + n))).fraud_assessment_id for n in range(3)]
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        stub = fraud_grpc.FraudDetectionServiceStub(ch)
        audit = rc_grpc.RegulatoryComplianceServiceStub(ch)
        listed, tokens = [], [""]
        while True:
            request = fraud_pb.ListFraudAssessmentsRequest(customer_id=customer, page_size=2, page_token=tokens[-1])
            page = await stub.ListFraudAssessments(request, timeout=5)
            listed += [a.fraud_assessment_id for a in page.fraud_assessments]
            if not page.next_page_token:
                break
            tokens.append(page.next_page_token)
        assert listed == made[::-1] and len(tokens) == 2
        first_token = tokens[1]

        for bad in (" ", ":", "not base64 at all!", "bm90IGEgdG9rZW4", first_token[:-3] + "AAA"):
            request = fraud_pb.ListFraudAssessmentsRequest(customer_id=customer, page_size=2, page_token=bad)
            assert await _fails(stub.ListFraudAssessments, request) == ["page_token"]
        # Another filter's, another list's.
        other = fraud_pb.ListFraudAssessmentsRequest(customer_id=str(uuid.uuid4()), page_size=2, page_token=first_token)
        assert await _fails(stub.ListFraudAssessments, other) == ["page_token"]
        trail = rc.ListAuditRecordsRequest(customer_id=customer, page_token=first_token)
        assert await _fails(audit.ListAuditRecords, trail) == ["page_token"]
        reports = rc.ListRegulatoryReportsRequest(page_token=first_token)
        assert await _fails(audit.ListRegulatoryReports, reports) == ["page_token"]


async def test_the_audit_trail_pages_oldest_first(settings: Settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    made = [(await _fraud(settings, _transaction(customer, account, 1_000 + n))).fraud_assessment_id for n in range(3)]
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        stub = rc_grpc.RegulatoryComplianceServiceStub(ch)
        subjects, token = [], ""
        while True:
            request = rc.ListAuditRecordsRequest(customer_id=customer, page_size=2, page_token=token)
            page = await stub.ListAuditRecords(request, timeout=5)
            subjects += [r.subject for r in page.audit_records]
            if not (token := page.next_page_token):
                break
    assert subjects == made
