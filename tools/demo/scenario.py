"""The end-to-end scenario `make demo` narrates, every call through the Envoy REST edge with real tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.customer.v1 import customer_onboarding_service_pb2 as onboarding
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import credit_risk_assessment_service_pb2 as credit_service

from services.runtime.config import Settings
from tools.demo.actors import ALICE, BOB, BRANCH, Person, credit_application, money
from tools.demo.narration import Narrator, label
from tools.edge.mint import mint
from tools.edge.rest import RestClient


def rpc(module, service: str, method: str):
    return module.DESCRIPTOR.services_by_name[service].methods_by_name[method]


REGISTER = rpc(directory, "CustomerDirectoryService", "RegisterCustomer")
KYC_CHECK = rpc(onboarding, "CustomerOnboardingService", "InitiateKycCheck")
EVALUATE_CREDIT = rpc(credit_service, "CreditRiskAssessmentService", "EvaluateCreditRisk")


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
        self.customers: dict[str, Onboarded] = {}

    def play(self) -> None:
        self.onboard(ALICE, BOB)
        self.assess_credit(self.customers[ALICE.name])

    def onboard(self, *people: Person) -> None:
        self.say.step(
            "Onboarding with KYC",
            "A teller registers each customer (PII is sealed per customer at rest), then runs the KYC check: "
            "document format, age, address, and sanctions screening through the risk service.",
        )
        rows = []
        for person in people:
            with self.say.working(f"registering {person.name}"):
                registered = self.edge.call(
                    REGISTER,
                    directory.RegisterCustomerRequest(customer=person.customer(self.run), request_id=str(uuid.uuid4())),
                    token=self.teller,
                ).customer
                check = self.edge.call(
                    KYC_CHECK,
                    onboarding.InitiateKycCheckRequest(
                        customer_id=registered.customer_id,
                        trigger=kyc.KYC_CHECK_TRIGGER_ONBOARDING,
                        request_id=str(uuid.uuid4()),
                    ),
                    token=self.teller,
                ).kyc_check
            state = label(kyc.KycCheckState.DESCRIPTOR, check.state)
            self.customers[person.name] = Onboarded(person, registered.customer_id, state)
            reasons = ", ".join(label(kyc.KycReasonCode.DESCRIPTOR, r.code) for r in check.reasons) or "-"
            rows.append((person.name, registered.customer_id, registered.email, state, reasons))
        self.say.table(
            "Customers (the teller sees masked PII)", ("name", "customer id", "e-mail", "KYC", "reasons"), rows
        )

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
