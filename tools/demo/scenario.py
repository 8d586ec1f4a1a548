"""The end-to-end scenario `make demo` narrates, every call through the Envoy REST edge with real tokens."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from types import ModuleType

from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.customer.v1 import customer_onboarding_service_pb2 as onboarding
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.payments.v1 import account_pb2 as account
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_pb2 as payment
from fintech.payments.v1 import position_keeping_service_pb2 as positions
from fintech.payments.v1 import settlement_batch_pb2 as batch
from fintech.payments.v1 import settlement_service_pb2 as settlement
from fintech.risk.v1 import audit_record_pb2 as audit
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import credit_risk_assessment_service_pb2 as credit_service
from fintech.risk.v1 import regulatory_compliance_service_pb2 as compliance
from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import MethodDescriptor

from services.payments.domain.clearing import BANK_CUSTOMER_ID
from services.runtime.config import Settings
from tools.demo.actors import ALICE, BOB, BRANCH, MERCHANTS, Person, credit_application, eur, money
from tools.demo.links import links
from tools.demo.narration import Narrator, label
from tools.demo.reconciliation import show_reconciliation
from tools.demo.statement import WrittenStatement, show_statement
from tools.edge.mint import mint
from tools.edge.rest import RestClient, RestError
from tools.events import Event, events_table, read_events


def rpc(module: ModuleType, service: str, method: str) -> MethodDescriptor:
    descriptor: MethodDescriptor = module.DESCRIPTOR.services_by_name[service].methods_by_name[method]
    return descriptor


REGISTER = rpc(directory, "CustomerDirectoryService", "RegisterCustomer")
KYC_CHECK = rpc(onboarding, "CustomerOnboardingService", "InitiateKycCheck")
EVALUATE_CREDIT = rpc(credit_service, "CreditRiskAssessmentService", "EvaluateCreditRisk")
OPEN_ACCOUNT = rpc(positions, "PositionKeepingService", "OpenAccount")
RETRIEVE_ACCOUNT = rpc(positions, "PositionKeepingService", "RetrieveAccount")
INITIATE = rpc(initiation, "PaymentInitiationService", "InitiatePayment")
CONTROL = rpc(initiation, "PaymentInitiationService", "ControlPayment")
OPEN_BATCH = rpc(settlement, "SettlementService", "InitiateSettlementBatch")
BATCH_REPORT = rpc(settlement, "SettlementService", "RetrieveSettlementReport")
CONTROL_BATCH = rpc(settlement, "SettlementService", "ControlSettlementBatch")
AUDIT_RECORDS = rpc(compliance, "RegulatoryComplianceService", "ListAuditRecords")
# How many small card-not-present payments the compromised card is tested with.
BURST = 8


@dataclass
class Onboarded:
    person: Person
    customer_id: str
    kyc_state: str
    accounts: dict[str, str] = field(default_factory=dict)


class Scenario:
    def __init__(self, settings: Settings, narrator: Narrator) -> None:
        self.settings = settings
        self.say = narrator
        self.run = uuid.uuid4().hex[:6]
        self.edge = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
        self.teller = mint(settings, "teller", branch_id=BRANCH, subject=f"teller-{self.run}")
        self.officer = mint(settings, "risk_officer", subject=f"officer-{self.run}")
        self.admin = mint(settings, "admin", subject=f"admin-{self.run}")
        self.compliance = mint(settings, "compliance_officer", subject=f"compliance-{self.run}")
        self.customers: dict[str, Onboarded] = {}
        self.statement: WrittenStatement | str | None = None  # Alice's camt.053 from the lake (tools/demo/statement)

    def play(self) -> None:
        self.started = timestamp_now()
        self.onboard(ALICE, BOB)
        alice, bob = self.customers[ALICE.name], self.customers[BOB.name]
        self.assess_credit(alice)
        self.open_accounts(alice, bob)
        first = self.pay(alice, bob)
        self.fraud_burst(alice)
        self.settle()
        show_statement(self, alice)
        self.show_events(self.executed_off_us[0] if self.executed_off_us else first)
        self.show_audit_trail()
        self.reconciled = show_reconciliation(self.settings, self.say)
        self.show_links(first)

    def onboard(self, *people: Person) -> None:
        self.say.step(
            "Onboarding with KYC",
            "A teller registers each customer (PII is sealed per customer at rest), then runs the KYC check: "
            "document format, age, address, and sanctions screening through the risk service.",
        )
        rows = []
        for person in people:
            with self.say.working(f"registering {person.name}"):
                request = directory.RegisterCustomerRequest(
                    customer=person.customer(self.run), request_id=str(uuid.uuid4())
                )
                customer = self.edge.call(REGISTER, request, token=self.teller).customer
                check = self.edge.call(
                    KYC_CHECK,
                    onboarding.InitiateKycCheckRequest(
                        customer_id=customer.customer_id,
                        trigger=kyc.KYC_CHECK_TRIGGER_ONBOARDING,
                        request_id=str(uuid.uuid4()),
                    ),
                    token=self.teller,
                ).kyc_check
            state = label(kyc.KycCheckState.DESCRIPTOR, check.state)
            self.customers[person.name] = Onboarded(person, customer.customer_id, state)
            reasons = ", ".join(label(kyc.KycReasonCode.DESCRIPTOR, r.code) for r in check.reasons) or "-"
            rows.append((person.name, customer.customer_id, customer.email, state, reasons))
        self.say.table("Customers (their branch's teller may see the clear values)",
                       ("name", "customer id", "e-mail", "KYC", "reasons"), rows)  # fmt: skip
        # The same person again, with another document: duplicate detection on normalised name and birth date.
        request = directory.RegisterCustomerRequest(
            customer=people[-1].customer(self.run), request_id=str(uuid.uuid4())
        )
        try:
            self.edge.call(REGISTER, request, token=self.teller)
        except RestError as duplicate:
            self.say.say(f"Registering {people[-1].name} again → HTTP {duplicate.status} {duplicate.reason} "
                         f"(matched on {duplicate.metadata.get('matched_on')})")  # fmt: skip

    def assess_credit(self, customer: Onboarded) -> None:
        self.say.step(
            "Credit risk assessment",
            "The credit model on Triton gives a probability of default; policy turns it into a score, a grade, "
            "a decision and the adverse-action reasons a bank must give when it declines.",
        )
        application = credit_application(customer.customer_id)
        with self.say.working("scoring the application on Triton"):
            assessment = self.edge.call(
                EVALUATE_CREDIT,
                credit_service.EvaluateCreditRiskRequest(application=application, request_id=str(uuid.uuid4())),
                token=self.officer,
            ).credit_assessment
        reasons = ", ".join(label(credit.AdverseActionReasonCode.DESCRIPTOR, r.code) for r in
                            assessment.adverse_action_reasons) or "-"  # fmt: skip
        self.say.table(
            f"Car loan for {customer.person.name}: {money(application.requested_amount)} over "
            f"{application.term_months} months",
            ("probability of default", "score", "grade", "decision", "model", "reasons"),
            [(
                f"{assessment.probability_of_default:.3f}",
                assessment.score,
                label(credit.CreditGrade.DESCRIPTOR, assessment.grade),
                label(credit.CreditDecision.DESCRIPTOR, assessment.decision),
                f"{assessment.model.model_name} v{assessment.model.model_version}",
                reasons,
            )],
        )  # fmt: skip

    def open_accounts(self, alice: Onboarded, bob: Onboarded) -> None:
        self.say.step(
            "Accounts and a cash deposit",
            "Position keeping is a double-entry ledger: a balance is the sum of immutable entries, every posting "
            "balances. Alice pays 3,000.00 EUR in cash at the branch: the teller's booking moves it from the "
            "branch's cash account (an internal account of the bank) to hers.",
        )
        self.cash = self._open(str(BANK_CUSTOMER_ID), account.ACCOUNT_TYPE_INTERNAL, self.admin, overdraft=10**11)
        for customer in (alice, bob):
            customer.accounts["EUR"] = self._open(customer.customer_id, account.ACCOUNT_TYPE_CURRENT, self.teller)
        deposit = self._pay(self.cash, alice.accounts["EUR"], 300_000, self.admin, payment.PAYMENT_CHANNEL_BRANCH)
        self._payments_table("The deposit", [deposit])
        if deposit.state == payment.PAYMENT_STATE_HELD_FOR_REVIEW:
            deposit = self._review(
                deposit, payment.REVIEW_DECISION_RELEASE, "Cash counted at the branch, receipt 4711."
            )
            self.say.say(
                f"A risk officer released the deposit: {label(payment.PaymentState.DESCRIPTOR, deposit.state)}"
            )
        self._balances("Balances after the deposit", alice, bob)

    def pay(self, alice: Onboarded, bob: Onboarded) -> payment.Payment:
        self.say.step(
            "A payment, screened before money moves",
            "Alice pays Bob from her app with her own token. Payments asks customer whether she passed KYC, "
            "risk scores the payment (features + the fraud model on Triton + rules) and screens it for AML, "
            "then posts the entries, the payment's events and its outbox rows in one transaction. A retry "
            "with the same idempotency key returns the stored outcome and charges nothing twice.",
        )
        token = mint(self.settings, "customer", customer_id=alice.customer_id)
        key = f"demo-{uuid.uuid4()}"
        paid = self._pay(alice.accounts["EUR"], bob.accounts["EUR"], 12_550, token, key=key)
        retried = self._pay(alice.accounts["EUR"], bob.accounts["EUR"], 12_550, token, key=key)
        self._payments_table("Alice → Bob, and the same request retried", [paid, retried])
        self.retried = retried
        self._balances("Balances: the retry moved nothing", alice, bob)
        return paid

    def fraud_burst(self, alice: Onboarded) -> None:
        self.say.step(
            "A card-testing burst",
            f"Someone tries Alice's stolen details with {BURST} small online payments to merchants abroad within "
            "seconds. The feature store counts them from the payment events as they happen; the fraud model and "
            "the velocity rules see the burst, so later payments are held for review or declined; a risk officer "
            "rejects what was held (four eyes: never their own payment).",
        )
        token = mint(self.settings, "customer", customer_id=alice.customer_id)
        burst = []
        with self.say.working("sending the burst"):
            for number in range(BURST):
                iban, bic, holder = MERCHANTS[number % len(MERCHANTS)]
                external = payment.ExternalAccount(iban=iban, bic=bic, holder_name=holder)
                try:
                    burst.append(self._pay(alice.accounts["EUR"], external, 100 + 37 * number, token,
                                           payment.PAYMENT_CHANNEL_WEB))  # fmt: skip
                except RestError as declined:  # a DECLINE is an error for the caller; its details name the payment
                    if declined.reason != "PAYMENT_DECLINED":
                        raise
                    burst.append(declined_payment(declined, 100 + 37 * number))
        self._payments_table("The burst, in order", burst)
        self.say.say("A declined payment is an error for its caller (FAILED_PRECONDITION PAYMENT_DECLINED, HTTP 400) "
                     "naming the payment and its reason codes; nothing is booked.", style="dim")  # fmt: skip
        held = [p for p in burst if p.state == payment.PAYMENT_STATE_HELD_FOR_REVIEW]
        for item in held:
            self._review(item, payment.REVIEW_DECISION_REJECT, "Card-testing pattern confirmed with the customer.")
        if held:
            self.say.say(f"The risk officer rejected {len(held)} held payment(s); nothing was booked for them.")
        self.burst = burst
        self.executed_off_us = [p for p in burst if p.state == payment.PAYMENT_STATE_EXECUTED]

    def settle(self) -> None:
        self.say.step(
            "Settlement with the other banks",
            "Executed payments to other banks are batched per window and currency and netted per participant; "
            "once the clearing system confirms, the net amounts are booked and every payment becomes SETTLED.",
        )
        ends = timestamp_now()
        opened = self.edge.call(
            OPEN_BATCH,
            settlement.InitiateSettlementBatchRequest(
                idempotency_key=f"demo-batch-{self.run}",
                currency_code="EUR",
                window_start_time=self.started,
                window_end_time=ends,
            ),
            token=self.admin,
        ).settlement_batch
        report = self.edge.call(
            BATCH_REPORT, settlement.RetrieveSettlementReportRequest(settlement_batch_id=opened.settlement_batch_id),
            token=self.admin,
        ).settlement_report  # fmt: skip
        self.say.table(
            f"Netting report, batch {opened.settlement_batch_id[:8]} "
            f"({label(batch.SettlementBatchState.DESCRIPTOR, report.state)})",
            ("participant", "payments", "gross debit", "gross credit", "net"),
            [(p.participant_bic, p.payment_count, money(p.gross_debit_amount), money(p.gross_credit_amount),
              money(p.net_amount)) for p in report.positions],
        )  # fmt: skip
        if report.state == batch.SETTLEMENT_BATCH_STATE_NETTED:
            settled = self.edge.call(
                CONTROL_BATCH,
                settlement.ControlSettlementBatchRequest(
                    settlement_batch_id=opened.settlement_batch_id,
                    action=settlement.SETTLEMENT_BATCH_ACTION_MARK_SETTLED,
                    settlement_reference=f"TARGET2-{self.run.upper()}",
                ),
                token=self.admin,
            ).settlement_batch
            self.say.say(f"batch {label(batch.SettlementBatchState.DESCRIPTOR, settled.state)}")
            self.settled = settled

    def show_events(self, paid: payment.Payment) -> None:
        self.say.step(
            "A payment's events",
            "A payment is event-sourced: its events are its source of truth, appended with optimistic concurrency "
            "and published to Kafka through the outbox, keyed by the payment id (python -m tools.events). Here the "
            "first settled payment of the burst.",
        )
        last = "PaymentSettled" if self.executed_off_us else "PaymentExecuted"
        with self.say.working("waiting for the outbox relay to publish the last event"):
            events = asyncio.run(self._events_until(paid.payment_id, last))
        self.say.console.print(events_table(events, f"Events of payment {paid.payment_id}"))

    async def _events_until(self, subject: str, last: str, patience: float = 15.0) -> list[Event]:
        """The subject's events once `last` is among them: the relay publishes committed rows a moment later."""
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            events = await read_events(self.settings, subjects={subject})
            if any(event.short_type == last for event in events) or asyncio.get_running_loop().time() > deadline:
                return events
            await asyncio.sleep(0.3)

    def show_audit_trail(self) -> None:
        self.say.step(
            "The audit trail",
            "Every decision and event is recorded in a hash chain; the verify command recomputes it and would "
            "name the first record that was changed.",
        )
        records = self.edge.call(
            AUDIT_RECORDS,
            compliance.ListAuditRecordsRequest(start_time=self.started, page_size=8),
            token=self.compliance,
        ).audit_records
        self.say.table(
            "Audit records of this run (the first 8)",
            ("time", "actor", "action", "subject", "outcome", "hash"),
            [(r.occur_time.ToDatetime().strftime("%H:%M:%S"), r.actor.rsplit("/", 1)[-1], r.action.rsplit("/", 1)[-1],
              r.subject[:8], label(audit.AuditOutcome.DESCRIPTOR, r.outcome), r.record_hash.hex()[:12])
             for r in records],
        )  # fmt: skip
        command = [sys.executable, "-m", "services.risk.adapters.audit", "verify"]
        verified = subprocess.run(command, capture_output=True, text=True, check=False)
        said = verified.stdout.strip() or verified.stderr.strip()
        self.say.say(f"python -m services.risk.adapters.audit verify → {said}")
        self.audit_intact = verified.returncode == 0

    def show_links(self, paid: payment.Payment) -> None:
        self.say.step(
            "Where to look next",
            "Metrics, logs and traces of everything above, collected beside the mesh: Alice's payment to Bob is "
            "one trace from the edge through payments, customer, risk and ml to the consumers of its events.",
        )
        self.trace_links = links(self.settings, paid.payment_id)
        self.say.table("Observability", ("what", "where"), self.trace_links)

    def _review(self, held: payment.Payment, decision: payment.ReviewDecision, note: str) -> payment.Payment:
        request = initiation.ControlPaymentRequest(payment_id=held.payment_id, decision=decision, note=note)
        response: initiation.ControlPaymentResponse = self.edge.call(CONTROL, request, token=self.officer)
        return response.payment

    def _open(self, customer_id: str, kind: account.AccountType, token: str, overdraft: int = 0) -> str:
        response: positions.OpenAccountResponse = self.edge.call(
            OPEN_ACCOUNT,
            positions.OpenAccountRequest(
                idempotency_key=f"demo-{uuid.uuid4()}",
                customer_id=customer_id,
                currency_code="EUR",
                account_type=kind,
                overdraft_limit=eur(overdraft),
            ),
            token=token,
        )
        return response.account.account_id

    def _pay(
        self,
        debtor: str,
        creditor: str | payment.ExternalAccount,
        amount: int,
        token: str,
        channel: payment.PaymentChannel = payment.PAYMENT_CHANNEL_MOBILE_APP,
        key: str | None = None,
    ) -> payment.Payment:
        request = initiation.InitiatePaymentRequest(
            idempotency_key=key or f"demo-{uuid.uuid4()}",
            debtor_account_id=debtor,
            amount=eur(amount),
            remittance_information="demo",
            channel=channel,
        )
        if isinstance(creditor, str):
            request.creditor_account_id = creditor
        else:
            request.creditor_external_account.CopyFrom(creditor)
        response: initiation.InitiatePaymentResponse = self.edge.call(INITIATE, request, token=token)
        return response.payment

    def _payments_table(self, title: str, payments: list[payment.Payment]) -> None:
        rows = []
        for item in payments:
            outcome = item.screening_outcome
            reasons = ", ".join([*outcome.fraud_reason_codes, *outcome.compliance_alert_codes]) or "-"
            if item.hold_reason:
                reasons += f" (held: {label(payment.HoldReason.DESCRIPTOR, item.hold_reason)})"
            score = f"{outcome.fraud_score:.2f}" if outcome.screen_time.seconds else "-"  # unset: known from an error
            decision = label(payment.ScreeningDecision.DESCRIPTOR, outcome.fraud_decision)
            state = label(payment.PaymentState.DESCRIPTOR, item.state)
            rows.append((item.payment_id[:8], money(item.amount), state, score, decision, reasons))
        self.say.table(title, ("payment", "amount", "state", "fraud score", "fraud decision", "reasons"), rows)

    def _balances(self, title: str, *customers: Onboarded) -> None:
        rows = []
        for customer in customers:
            held = self.edge.call(
                RETRIEVE_ACCOUNT,
                positions.RetrieveAccountRequest(account_id=customer.accounts["EUR"]),
                token=self.admin,
            ).account
            rows.append((customer.person.name, held.account_id[:8], money(held.ledger_balance),
                         money(held.available_balance)))  # fmt: skip
        self.say.table(title, ("holder", "account", "ledger balance", "available"), rows)


def declined_payment(error: RestError, amount: int) -> payment.Payment:
    """The declined payment as its error describes it (ErrorInfo metadata: payment id, reason codes)."""
    return payment.Payment(
        payment_id=error.metadata["payment_id"],
        amount=eur(amount),
        state=payment.PAYMENT_STATE_REJECTED,
        screening_outcome=payment.ScreeningOutcome(
            fraud_decision=payment.SCREENING_DECISION_DECLINE,
            fraud_reason_codes=error.metadata.get("reason_codes", "").split(","),
        ),
    )


def timestamp_now() -> timestamp_pb2.Timestamp:
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    return now
