"""What risk keeps of a sanctions screening holds the screened person only sealed, under the customer's risk data
key; the customer's erasure marks that key for shredding when the AML retention allows it, and once it is
shredded nobody can read the person back (the screening's decision and lists stay)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rc_grpc
from fintech.risk.v1 import sanctions_screening_pb2 as ss

from services.risk.adapters.erasure import DataRetention
from services.risk.adapters.keys import DataKeys, load_keys
from services.runtime.config import Settings
from services.runtime.db import Database
from tests.customer.support import Api, erase, eventually, new_customer, query, register, start_kyc
from tests.features.support import channel
from tests.privacy.support import checkpoint, execute, relation_files

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")


def _replay(settings: Settings, request_id: str) -> ss.SanctionsScreening:
    """ScreenParty again with a stored request id: risk answers what it stored (another name is ignored)."""
    request = rc.ScreenPartyRequest(
        party=ss.ScreenedParty(party_id=str(uuid.uuid4()), party_type=ss.PARTY_TYPE_INDIVIDUAL,
                               full_name="Somebody Else", country_code="DE"),
        trigger=ss.SCREENING_TRIGGER_ONBOARDING, request_id=request_id,
    )  # fmt: skip

    async def call() -> ss.SanctionsScreening:
        async with channel(settings, "risk", "customer") as ch:
            return (await rc_grpc.RegulatoryComplianceServiceStub(ch).ScreenParty(request, timeout=5)).screening

    return asyncio.run(call())


def _shred_due_now(settings: Settings) -> None:
    """One round of the risk service's retention task (the service runs it every interval), here at once."""

    async def run() -> None:
        database = Database.for_service("risk", settings, pool_size=1, max_overflow=0)
        try:
            await DataRetention(database, DataKeys(load_keys(settings)), 60).tick()
        finally:
            await database.dispose()

    asyncio.run(run())


def test_a_screened_party_is_sealed_and_unreadable_once_the_retention_has_passed(settings: Settings):
    api = Api(settings)
    customer = new_customer()
    customer.birth_family_name = f"Geb{uuid.uuid4().hex[:8]}"  # screened as an alias too
    registered = register(api, customer)
    start_kyc(api, registered.customer_id)
    rows = query(settings, "SELECT request_id, body, sealed_party FROM screenings WHERE customer_id = :id",
                 database="risk", id=registered.customer_id)  # fmt: skip
    assert len(rows) == 1 and rows[0].sealed_party
    request_id = str(rows[0].request_id)
    clear = [customer.family_name, customer.birth_family_name, "Erika Maria"]

    # Every column of the table, and the table's files on disk, hold the person only sealed.
    for row in query(settings, "SELECT * FROM screenings WHERE customer_id = :id", database="risk",
                     id=registered.customer_id):  # fmt: skip
        for value in row:
            raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            assert not any(name.encode() in raw for name in clear)
    checkpoint(settings)
    files = [path.read_bytes() for path in relation_files(settings, "risk", "screenings")]
    assert files
    assert not any(name.encode() in data for data in files for name in clear)
    assert any(uuid.UUID(registered.customer_id).bytes in data for data in files)  # the row is in those files

    # Risk opens it with the customer's key: the stored screening names the person it screened.
    screening = _replay(settings, request_id)
    assert screening.party.full_name == f"Erika Maria {customer.family_name}"
    assert list(screening.party.alias_names) == [f"Erika Maria {customer.birth_family_name}"]

    keys = "SELECT erase_time, shred_after FROM risk_data_keys WHERE customer_id = :id"
    assert query(settings, keys, database="risk", id=registered.customer_id)[0] == (None, None)
    erased_at = datetime.now(UTC)
    erase(api, registered.customer_id)

    retention = timedelta(days=settings.risk.aml_retention_days)
    if retention:
        marked = eventually(lambda: [r for r in query(settings, keys, database="risk", id=registered.customer_id)
                                     if r.shred_after is not None], timeout=60)  # fmt: skip
        assert marked, "the CustomerErased event did not reach risk"
        shred_after = marked[0].shred_after
        assert erased_at + retention - timedelta(minutes=5) < shred_after < erased_at + retention + timedelta(minutes=5)
        # Within the retention the AML record stays whole, and the retention task leaves the key alone.
        _shred_due_now(settings)
        assert _replay(settings, request_id).party.full_name == f"Erika Maria {customer.family_name}"
        # The retention has passed (moved, as time would): the task destroys the key.
        execute(settings, "risk", "UPDATE risk_data_keys SET shred_after = now() - interval '1 second' "
                "WHERE customer_id = :id", id=registered.customer_id)  # fmt: skip
        _shred_due_now(settings)
    else:  # retention 0 (FINTECH_RISK__AML_RETENTION_DAYS=0): shredded as the event is applied
        eventually(lambda: not query(settings, keys, database="risk", id=registered.customer_id), timeout=60)
    assert not query(settings, keys, database="risk", id=registered.customer_id)

    after = _replay(settings, request_id)
    assert after.screening_id == screening.screening_id and after.match_status == screening.match_status
    assert after.screened_lists == screening.screened_lists  # the AML record's facts stay
    assert after.party == ss.ScreenedParty(party_id=registered.customer_id, party_type=ss.PARTY_TYPE_INDIVIDUAL)


def test_screenings_stored_before_sealing_are_sealed_by_the_retention_task(settings: Settings):
    customer_id, request_id, name = str(uuid.uuid4()), str(uuid.uuid4()), f"Altbestand {uuid.uuid4().hex[:8]}"
    party = ss.ScreenedParty(party_id=customer_id, party_type=ss.PARTY_TYPE_INDIVIDUAL, full_name=name,
                             country_code="DE")  # fmt: skip
    legacy = ss.SanctionsScreening(screening_id=str(uuid.uuid4()), party=party, match_threshold=0.85,
                                   match_status=ss.SANCTIONS_MATCH_STATUS_CLEAR)  # fmt: skip
    columns = {"id": uuid.UUID(legacy.screening_id), "request": uuid.UUID(request_id),
               "customer": uuid.UUID(customer_id), "body": legacy.SerializeToString()}  # fmt: skip
    execute(settings, "risk", "INSERT INTO screenings (id, request_id, customer_id, decision, evaluate_time, body) "
            "VALUES (:id, :request, :customer, 1, now(), :body)", **columns)  # fmt: skip
    _shred_due_now(settings)
    (row,) = query(settings, "SELECT body, sealed_party FROM screenings WHERE request_id = :id", database="risk",
                   id=request_id)  # fmt: skip
    assert row.sealed_party and name.encode() not in bytes(row.body) and name.encode() not in bytes(row.sealed_party)
    assert _replay(settings, request_id).party == party
