"""Which panel each role sees: the one declaration of the console's access, after the roles' duties (README, Who
may call what). A role not named here (customer, teller) sees no panel, so the console refuses them (403).

| panel | shows | roles |
| --- | --- | --- |
| payments | payments per minute by state, channel and currency, and amounts | risk_officer, admin |
| fraud | fraud decision rates and mean score per model version | risk_officer, model_risk, admin |
| review | held payments and their age | risk_officer, compliance_officer, admin |
| settlement | participants' positions in the open settlement window | compliance_officer, admin |
| kyc | KYC outcomes per minute | compliance_officer, admin |
| slo | availability, p95 and error rate per public RPC, slow traces | risk_officer, model_risk, admin |
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.runtime.access import ADMIN, COMPLIANCE_OFFICER, MODEL_RISK, RISK_OFFICER


class Panel(StrEnum):
    PAYMENTS = "payments"
    FRAUD = "fraud"
    REVIEW = "review"
    SETTLEMENT = "settlement"
    KYC = "kyc"
    SLO = "slo"


PANEL_ROLES: dict[Panel, frozenset[str]] = {
    Panel.PAYMENTS: frozenset({RISK_OFFICER, ADMIN}),
    Panel.FRAUD: frozenset({RISK_OFFICER, MODEL_RISK, ADMIN}),
    Panel.REVIEW: frozenset({RISK_OFFICER, COMPLIANCE_OFFICER, ADMIN}),
    Panel.SETTLEMENT: frozenset({COMPLIANCE_OFFICER, ADMIN}),
    Panel.KYC: frozenset({COMPLIANCE_OFFICER, ADMIN}),
    Panel.SLO: frozenset({RISK_OFFICER, MODEL_RISK, ADMIN}),
}

# The aggregate topic behind each data panel (proto/fintech/analytics/v1/aggregates.proto names them).
PANEL_TOPICS: dict[Panel, str] = {
    Panel.PAYMENTS: "fintech.analytics.payment_flow.v1",
    Panel.FRAUD: "fintech.analytics.fraud_decisions.v1",
    Panel.REVIEW: "fintech.analytics.review_queue.v1",
    Panel.SETTLEMENT: "fintech.analytics.settlement_positions.v1",
    Panel.KYC: "fintech.analytics.kyc_outcomes.v1",
}
TOPIC_PANELS = {topic: panel for panel, topic in PANEL_TOPICS.items()}


def panels_for(roles: Iterable[str]) -> frozenset[Panel]:
    """The panels a person with these roles may see (none: the console is not for them)."""
    held = frozenset(roles)
    return frozenset(panel for panel, allowed in PANEL_ROLES.items() if held & allowed)
