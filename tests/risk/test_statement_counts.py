"""What one fraud and one AML evaluation (both called for every InitiatePayment) cost PostgreSQL, counted on a
migrated schema of the mesh's risk database: statements and transactions are deterministic, so they are pinned
here, and a change that adds a round trip to the payment path fails and has to say why.

Each evaluation is one read outside a transaction (the stored assessment and what the rules need, in one
statement on an autocommit connection: SQLAlchemy counts a begin, PostgreSQL gets no BEGIN) and, for a new
payment, one transaction of four statements: the assessment with the row it brings (known counterparty, AML
history), the outbox event, the audit chain's lock and its append. A repeated call is the read alone."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_pb
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rc_grpc
from fintech.risk.v1 import transaction_pb2 as txn
from fintech.risk.v1 import transaction_screening_service_pb2 as ts
from fintech.risk.v1 import transaction_screening_service_pb2_grpc as ts_grpc

from services.risk.adapters import audit
from services.risk.adapters.db.models import aml_transactions, audit_records, known_counterparties
from services.risk.main import fraud_detection, regulatory_compliance, transaction_screening
from services.runtime.clients import ServiceClient
from services.runtime.db import outbox_events
from tests.features.support import counting, local_server, service_database
from tests.risk.test_risk_service import _transaction

READ = ["SELECT"]
WRITE = [
    "WITH inserted AS (INSERT",
    "INSERT INTO outbox_events",
    "SELECT pg_advisory_xact_lock",
    "INSERT INTO audit_records",
]

pytestmark = pytest.mark.mesh("postgres", "kafka", "triton", "ml", "features")


def _pinned(counts, expected: list[str], begins: int, commits: int) -> None:
    """The statements begin as `expected` says, in order; SQLAlchemy saw `begins` and `commits`."""
    statements = [" ".join(sql.split()) for sql in counts.statements]
    assert len(statements) == len(expected), statements
    assert all(sql.startswith(start) for start, sql in zip(expected, statements, strict=True)), statements
    assert (counts.begins, counts.commits) == (begins, commits)


async def _rows(database, table, **where) -> int:
    async with database.session() as session:
        query = table.select().where(*(table.c[name] == value for name, value in where.items()))
        return len((await session.execute(query)).all())


async def _counted_twice(database, add, servicer, method, warm, request) -> None:
    """`warm`, then `request` twice, to `servicer` on an in-process server (`method` picks the RPC from a channel):
    the first `request` is pinned to the read and the write, its repeat to the read alone."""
    async with local_server(add, servicer) as ch:
        rpc = method(ch)
        await rpc(warm)
        with counting(database) as first:
            answer = await rpc(request)
        with counting(database) as repeated:
            again = await rpc(request)
    _pinned(first, READ + WRITE, begins=2, commits=1)  # was 8 statements in 3 transactions
    _pinned(repeated, READ, begins=1, commits=0)
    assert again == answer
    assert (await audit.verify(database))[0]


async def test_one_fraud_evaluation_costs_pinned_statements_and_transactions(settings):
    customer, account, payee = (str(uuid.uuid4()) for _ in range(3))
    warm = _transaction(customer, account, 1_000, creditor_account_id=str(uuid.uuid4()))
    t = _transaction(customer, account, 1_200, creditor_account_id=payee)
    async with service_database("risk") as database:
        features, ml = (
            ServiceClient("risk", "features", settings=settings),
            ServiceClient("risk", "ml", settings=settings),
        )
        await features.start()
        await ml.start()
        await _counted_twice(
            database, fraud_grpc.add_FraudDetectionServiceServicer_to_server,
            fraud_detection(database, settings, features, ml),
            lambda ch: fraud_grpc.FraudDetectionServiceStub(ch).EvaluateTransactionFraud,
            fraud_pb.EvaluateTransactionFraudRequest(transaction=warm),
            fraud_pb.EvaluateTransactionFraudRequest(transaction=t),
        )  # fmt: skip
        # The known counterparty came in the assessment's statement.
        known = {"customer_id": uuid.UUID(customer), "counterparty_key": f"account:{payee}"}
        assert await _rows(database, known_counterparties, **known) == 1
        await features.stop()
        await ml.stop()


async def test_one_aml_evaluation_costs_pinned_statements_and_transactions(settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    # To an embargoed country: the alerts' events share the evaluation's outbox statement.
    t = _transaction(customer, account, 1_200, transaction_type=txn.TRANSACTION_TYPE_CREDIT_TRANSFER)
    t.counterparty.country_code = "KP"
    async with service_database("risk") as database:
        await _counted_twice(
            database, rc_grpc.add_RegulatoryComplianceServiceServicer_to_server,
            regulatory_compliance(database, settings),
            lambda ch: rc_grpc.RegulatoryComplianceServiceStub(ch).EvaluateTransactionAml,
            rc.EvaluateTransactionAmlRequest(transaction=_transaction(customer, account, 1_000)),
            rc.EvaluateTransactionAmlRequest(transaction=t),
        )  # fmt: skip
        # The history row came in the assessment's statement; the alerts' events are in the outbox.
        assert await _rows(database, aml_transactions, account_id=uuid.UUID(account)) == 2
        assert await _rows(database, outbox_events, event_type="fintech.risk.v1.AmlAlertRaised") >= 1


# ScreenTransaction (payments' one call per payment): both lookups in one read, then one transaction of four
# statements for both assessments: their rows with what they bring, their events, the lock, both audit records.
SCREEN_WRITE = [
    "WITH inserted_0 AS (INSERT",
    "INSERT INTO outbox_events",
    "SELECT pg_advisory_xact_lock",
    "WITH appended_0 AS (INSERT",
]


async def test_one_transaction_screening_costs_one_read_and_one_transaction_for_both(settings):
    customer, account, payee = (str(uuid.uuid4()) for _ in range(3))
    warm = _transaction(customer, account, 1_000, creditor_account_id=str(uuid.uuid4()))
    t = _transaction(customer, account, 1_200, creditor_account_id=payee)
    t.counterparty.country_code = "KP"  # an AML alert too: its event shares the outbox statement
    async with service_database("risk") as database:
        features, ml = (
            ServiceClient("risk", "features", settings=settings),
            ServiceClient("risk", "ml", settings=settings),
        )
        await features.start()
        await ml.start()
        servicer = transaction_screening(database, settings, features, ml)
        async with local_server(ts_grpc.add_TransactionScreeningServiceServicer_to_server, servicer) as ch:
            screen = ts_grpc.TransactionScreeningServiceStub(ch).ScreenTransaction
            await screen(ts.ScreenTransactionRequest(transaction=warm))
            with counting(database) as first:
                answer = await screen(ts.ScreenTransactionRequest(transaction=t))
            with counting(database) as repeated:
                again = await screen(ts.ScreenTransactionRequest(transaction=t))
        await features.stop()
        await ml.stop()
        # was two reads and two transactions of four statements each (the two calls above)
        _pinned(first, READ + SCREEN_WRITE, begins=2, commits=1)
        _pinned(repeated, READ, begins=1, commits=0)
        assert again == answer and answer.aml_assessment.alerts
        assert (await audit.verify(database))[0]
        # What the two calls' statements brought, this one's did: the known counterparty, the history row, the
        # events of both (with the alert's), an audit record for each.
        known = {"customer_id": uuid.UUID(customer), "counterparty_key": f"account:{payee}"}
        assert await _rows(database, known_counterparties, **known) == 1
        assert await _rows(database, aml_transactions, payment_id=uuid.UUID(t.payment_id)) == 1
        subjects = [answer.fraud_assessment.fraud_assessment_id, answer.aml_assessment.aml_assessment_id]
        assert [await _rows(database, audit_records, subject=subject) for subject in subjects] == [1, 1]
        kinds = {
            "fintech.risk.v1.FraudEvaluated": answer.fraud_assessment.fraud_assessment_id,
            "fintech.risk.v1.AmlTransactionEvaluated": answer.aml_assessment.aml_assessment_id,
            "fintech.risk.v1.AmlAlertRaised": answer.aml_assessment.alerts[0].aml_alert_id,
        }
        assert [await _rows(database, outbox_events, event_type=kind, key=key) for kind, key in kinds.items()] == [
            1, 1, 1
        ]  # fmt: skip


async def test_concurrent_audit_appends_keep_one_unbroken_chain(settings):
    async with service_database("risk") as database:

        async def append(n: int) -> None:
            async with database.transaction() as session:
                await audit.append(session, actor="tests", action="append", resource_type="test", subject=str(n),
                                   recorder="tests", details={"n": n})  # fmt: skip

        await asyncio.gather(*(append(n) for n in range(24)))
        intact, message = await audit.verify(database)
        assert intact and message.startswith("24 records"), message
