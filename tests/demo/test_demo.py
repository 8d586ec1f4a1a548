"""`make demo` stays true: the narrated scenario runs through the test mesh's edge and tells what happened."""

from __future__ import annotations

import io

import pytest
from fintech.payments.v1 import payment_pb2 as payment
from fintech.payments.v1 import settlement_batch_pb2 as batch
from rich.console import Console

from services.runtime.config import Settings
from tools.demo.narration import Narrator
from tools.demo.scenario import BURST, Scenario
from tools.demo.statement import WrittenStatement
from tools.mesh import Mesh


@pytest.mark.mesh()
def test_the_scenario_runs_end_to_end_through_the_edge(settings: Settings, mesh: Mesh):
    mesh.up("object_store", "lake")  # the data platform, which mesh() leaves out: the demo reconciles the lake
    screen = io.StringIO()
    scenario = Scenario(settings, Narrator(Console(file=screen, width=160)))
    scenario.play()
    told = screen.getvalue()

    assert {customer.kyc_state for customer in scenario.customers.values()} == {"VERIFIED"}
    assert "409 DUPLICATE_RESOURCE" in told  # the second registration of the same person
    first = scenario.retried
    assert first.state == payment.PAYMENT_STATE_EXECUTED
    assert told.count(first.payment_id[:8]) >= 2  # the retry answered with the same payment
    states = [item.state for item in scenario.burst]
    assert len(states) == BURST and payment.PAYMENT_STATE_REJECTED in states
    assert scenario.executed_off_us and scenario.settled.state == batch.SETTLEMENT_BATCH_STATE_SETTLED
    assert "PaymentSettled" in told
    assert scenario.audit_intact
    # Alice's camt.053 from the lake: valid (built so), closing at her ledger balance, with her deposit and payments.
    assert isinstance(scenario.statement, WrittenStatement), scenario.statement
    assert len(scenario.statement.statement.entries) >= 2 and "(the ledger's balance)" in told
    # The reconciliation step ran and printed its rows. Whether they all match is for a mesh of the demo's own
    # (make demo): in a test session other modules publish made-up payment events no ledger booked.
    assert "Reconciliation of the lake" in told and isinstance(scenario.reconciled, bool)
