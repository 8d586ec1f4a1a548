"""Who may do what with accounts and payments, beyond the mesh policy (istio/authz-payments.yaml).

- `customer`: their own accounts and payments only (`customer_id` claim): open accounts for
  themselves, initiate from and read their accounts, cancel their payments.
- `teller` and `admin` (staff): act for any customer; only `admin` opens or pays from the bank's
  INTERNAL accounts and controls accounts.
- `risk_officer` (the reviewer): reads everything and is the one role that releases or rejects held
  payments (ControlPayment), never one they initiated (four eyes).
- the `cli` workload without a JWT (an operator's back-office tool): acts as the bank's back office
  (`admin`).
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER, TELLER, RISK_OFFICER, ADMIN = "customer", "teller", "risk_officer", "admin"
STAFF = frozenset({TELLER, RISK_OFFICER, ADMIN})


@dataclass(frozen=True)
class Principal:
    """The person (or operator tool) behind a call."""

    subject: str
    roles: frozenset[str]
    customer_id: str = ""

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def staff(self) -> bool:
        return bool(self.roles & STAFF)

    def acts_for(self, customer_id: str) -> bool:
        """May act on this customer's accounts and payments."""
        return self.has(TELLER, ADMIN) or (self.has(CUSTOMER) and self.customer_id == customer_id)

    def reads(self, *customer_ids: str) -> bool:
        """May read an account or payment that involves these customers."""
        return self.staff or (self.has(CUSTOMER) and self.customer_id in customer_ids)

    @property
    def back_office(self) -> bool:
        """May open, pay from and control the bank's internal accounts."""
        return self.has(ADMIN)

    @property
    def reviewer(self) -> bool:
        return self.has(RISK_OFFICER)


OPERATOR = Principal("cli", frozenset({ADMIN}))
