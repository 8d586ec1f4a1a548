"""What the credit decision reads of an application: the model's applicant and the policy's inputs."""

from __future__ import annotations

from datetime import timedelta

from fintech.risk.v1 import credit_assessment_pb2 as C

from libs.featurespec.model_inputs import Applicant
from services.risk.domain.rules import CreditInputs

VALIDITY = timedelta(days=30)  # how long an assessment stands
REASON_TEXT = {
    code: C.AdverseActionReasonCode.Name(code)
    .removeprefix("ADVERSE_ACTION_REASON_CODE_")
    .replace("_", " ")
    .capitalize()
    for code in C.AdverseActionReasonCode.values()
}


def applicant_of(application: C.CreditApplication) -> Applicant:
    """The credit model's view of an application (the same type training builds its rows from)."""
    a = application.applicant
    return Applicant(
        annual_income_minor=a.annual_income.amount_minor, total_debt_minor=a.existing_debt.amount_minor,
        requested_amount_minor=application.requested_amount.amount_minor,
        credit_history_months=a.credit_history_months, employment_months=a.employment_months,
        open_credit_lines=a.open_credit_lines, recent_delinquencies=a.recent_delinquencies,
        past_defaults=a.past_defaults,
    )  # fmt: skip


def inputs_of(application: C.CreditApplication) -> CreditInputs:
    a = application.applicant
    return CreditInputs(
        annual_income=float(a.annual_income.amount_minor), existing_debt=float(a.existing_debt.amount_minor),
        monthly_debt_payments=float(a.monthly_debt_payments.amount_minor),
        requested_amount=float(application.requested_amount.amount_minor), term_months=application.term_months,
        employment_status=a.employment_status, employment_months=a.employment_months,
        credit_history_months=a.credit_history_months, open_credit_lines=a.open_credit_lines,
        past_defaults=a.past_defaults, recent_delinquencies=a.recent_delinquencies,
    )  # fmt: skip
