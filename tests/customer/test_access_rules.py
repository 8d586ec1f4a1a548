"""Who may do what with a customer record, and which PII view they get (services/customer/domain/access.py).

Every principal against every action, with the exact decision and the reason the API returns on a refusal.
"""

from __future__ import annotations

import pytest
from fintech.customer.v1 import customer_pb2 as c
from hypothesis import given
from hypothesis import strategies as st

from services.customer.domain import access
from services.customer.domain.access import Action, Decision, Principal
from services.runtime.access import ADMIN, COMPLIANCE_OFFICER, CUSTOMER, RISK_OFFICER, TELLER, Kind

ME = Principal("u1", frozenset({CUSTOMER}), customer_id="c1")
NEWCOMER = Principal("u2", frozenset({CUSTOMER}))  # self-onboarding: no customer_id claim yet
TELLER_B1 = Principal("t1", frozenset({TELLER}), branch_id="b1")
TELLER_NO_BRANCH = Principal("t2", frozenset({TELLER}))
RISK = Principal("r1", frozenset({RISK_OFFICER}))
COMPLIANCE = Principal("o1", frozenset({COMPLIANCE_OFFICER}))
ADMIN_P = Principal("a1", frozenset({ADMIN}))
CLI = Principal("cli", kind=Kind.OPERATOR)
CLI_WITH_ROLES = Principal("cli", frozenset({ADMIN, COMPLIANCE_OFFICER}), kind=Kind.OPERATOR)
NOBODY = Principal("n1")

ALLOW = Decision(True, "")
READ_ONLY = Decision(False, "operators (cli) have read-only access")
NOT_RESOLVER = Decision(False, "needs the risk_officer or compliance_officer role")
NOT_ERASER = Decision(False, "erasure needs the admin role")
NOT_COMPLIANCE = Decision(False, "needs a compliance role")
NO_ROLE = Decision(False, "no role gives access")
OTHER_BRANCH = Decision(False, "a teller sees only customers of their own branch")
NO_BRANCH = Decision(False, "teller without a branch")
OTHER_CUSTOMER = Decision(False, "a customer sees only their own record")

A = Action
ALL = list(Action)


def _expect(table: dict[Action, Decision], default: Decision) -> list[Decision]:
    return [table.get(action, default) for action in ALL]


# Each principal acting on customer c1 of branch b1 (their own record / branch where that applies).
MATRIX = {
    "operator": (
        CLI,
        _expect({A.READ: ALLOW, A.LIST: ALLOW, A.LIST_ALL_KYC: ALLOW}, READ_ONLY),
    ),
    "operator whose token carries roles": (
        CLI_WITH_ROLES,
        _expect({A.READ: ALLOW, A.LIST: ALLOW, A.LIST_ALL_KYC: ALLOW}, READ_ONLY),
    ),
    "admin": (ADMIN_P, _expect({A.RESOLVE_KYC: NOT_RESOLVER}, ALLOW)),
    "risk officer": (
        RISK,
        _expect(
            {
                A.READ: ALLOW,
                A.LIST: ALLOW,
                A.INITIATE_KYC: ALLOW,
                A.RESOLVE_KYC: ALLOW,
                A.LIST_ALL_KYC: ALLOW,
                A.ERASE: NOT_ERASER,
            },
            NO_ROLE,
        ),
    ),
    "compliance officer": (
        COMPLIANCE,
        _expect(
            {
                A.READ: ALLOW,
                A.LIST: ALLOW,
                A.INITIATE_KYC: ALLOW,
                A.RESOLVE_KYC: ALLOW,
                A.LIST_ALL_KYC: ALLOW,
                A.ERASE: NOT_ERASER,
            },
            NO_ROLE,
        ),
    ),
    "teller of the branch": (
        TELLER_B1,
        _expect(
            {A.RESOLVE_KYC: NOT_RESOLVER, A.ERASE: NOT_ERASER, A.LIST_ALL_KYC: NOT_COMPLIANCE},
            ALLOW,
        ),
    ),
    "teller without a branch": (
        TELLER_NO_BRANCH,
        _expect(
            {A.RESOLVE_KYC: NOT_RESOLVER, A.ERASE: NOT_ERASER, A.LIST_ALL_KYC: NOT_COMPLIANCE},
            NO_BRANCH,
        ),
    ),
    "customer on their own record": (
        ME,
        _expect(
            {
                A.RESOLVE_KYC: NOT_RESOLVER,
                A.ERASE: NOT_ERASER,
                A.LIST_ALL_KYC: NOT_COMPLIANCE,
                A.REGISTER: Decision(False, "already a customer"),
                A.LIST: Decision(False, "customers cannot list customers"),
            },
            ALLOW,
        ),
    ),
    "no role": (
        NOBODY,
        _expect({A.RESOLVE_KYC: NOT_RESOLVER, A.ERASE: NOT_ERASER, A.LIST_ALL_KYC: NOT_COMPLIANCE}, NO_ROLE),
    ),
}


@pytest.mark.parametrize(("principal", "expected"), MATRIX.values(), ids=MATRIX.keys())
def test_every_action_for_every_principal(principal: Principal, expected: list[Decision]):
    decisions = [access.decide(principal, action, customer_id="c1", branch_id="b1") for action in ALL]
    assert dict(zip(ALL, decisions, strict=True)) == dict(zip(ALL, expected, strict=True))


@pytest.mark.parametrize(
    ("action", "customer_id", "branch_id", "expected"),
    [
        (A.READ, "c2", "b2", OTHER_BRANCH),
        (A.UPDATE, "c2", "b2", OTHER_BRANCH),
        (A.INITIATE_KYC, "c2", "b2", OTHER_BRANCH),
        (A.UPDATE_PROFILE, "c2", "b2", OTHER_BRANCH),
        (A.REGISTER, "", "b2", OTHER_BRANCH),  # registering at another branch
        (A.REGISTER, "", "", OTHER_BRANCH),
        (A.READ, "c2", "", OTHER_BRANCH),  # a customer without a branch is not the teller's
        (A.LIST, "", "", ALLOW),  # listing is scoped to the branch by the query itself
        (A.LIST, "", "b2", ALLOW),
        (A.REGISTER, "", "b1", ALLOW),
    ],
)
def test_tellers_are_scoped_to_their_branch(action: Action, customer_id: str, branch_id: str, expected: Decision):
    assert access.decide(TELLER_B1, action, customer_id=customer_id, branch_id=branch_id) == expected


def test_a_teller_without_a_branch_matches_no_customer_without_one():
    assert access.decide(TELLER_NO_BRANCH, A.READ, customer_id="c1", branch_id="") == NO_BRANCH
    assert access.decide(TELLER_NO_BRANCH, A.LIST) == NO_BRANCH


@pytest.mark.parametrize(
    ("principal", "action", "customer_id", "expected"),
    [
        (ME, A.READ, "c2", OTHER_CUSTOMER),
        (ME, A.UPDATE, "c2", OTHER_CUSTOMER),
        (ME, A.UPDATE_PROFILE, "c2", OTHER_CUSTOMER),
        (ME, A.INITIATE_KYC, "c2", OTHER_CUSTOMER),
        (ME, A.READ, "", OTHER_CUSTOMER),
        (NEWCOMER, A.REGISTER, "", ALLOW),
        (NEWCOMER, A.READ, "", OTHER_CUSTOMER),  # no claim matches no record, not even an empty id
        (NEWCOMER, A.UPDATE, "", OTHER_CUSTOMER),
        (NEWCOMER, A.READ, "c1", OTHER_CUSTOMER),
        (NEWCOMER, A.LIST, "", Decision(False, "customers cannot list customers")),
    ],
)
def test_customers_see_only_their_own_record(principal: Principal, action: Action, customer_id: str, expected):
    assert access.decide(principal, action, customer_id=customer_id, branch_id="b1") == expected


def test_the_default_arguments_name_no_customer_and_no_branch():
    assert access.decide(ME, A.READ) == OTHER_CUSTOMER
    assert access.decide(TELLER_B1, A.READ) == OTHER_BRANCH
    assert access.decide(ADMIN_P, A.READ) == ALLOW


@pytest.mark.parametrize(
    ("roles", "action", "expected"),
    [
        ({RISK_OFFICER, TELLER}, A.UPDATE, ALLOW),  # as teller of the branch
        ({COMPLIANCE_OFFICER, TELLER}, A.REGISTER, ALLOW),
        ({RISK_OFFICER, CUSTOMER}, A.UPDATE, ALLOW),  # as the customer themselves
        ({TELLER, CUSTOMER}, A.LIST, ALLOW),  # the teller role comes first
        ({ADMIN, CUSTOMER}, A.REGISTER, ALLOW),
    ],
)
def test_combined_roles(roles: set[str], action: Action, expected: Decision):
    principal = Principal("x", frozenset(roles), customer_id="c1", branch_id="b1")
    assert access.decide(principal, action, customer_id="c1", branch_id="b1") == expected


def test_combined_roles_outside_the_scope_of_either():
    principal = Principal("x", frozenset({RISK_OFFICER, TELLER}), branch_id="b1")
    assert access.decide(principal, A.UPDATE, customer_id="c2", branch_id="b2") == OTHER_BRANCH
    principal = Principal("x", frozenset({COMPLIANCE_OFFICER, CUSTOMER}), customer_id="c1")
    assert access.decide(principal, A.UPDATE, customer_id="c2") == OTHER_CUSTOMER


# --- PII views ------------------------------------------------------------------------------------------

FULL, MASKED, UNSPECIFIED = c.PII_VIEW_FULL, c.PII_VIEW_MASKED, c.PII_VIEW_UNSPECIFIED


@pytest.mark.parametrize(
    ("principal", "customer_id", "full"),
    [
        (ME, "c1", True),
        (ME, "c2", False),
        (ME, "", False),
        (NEWCOMER, "", False),  # no customer_id claim: nothing is theirs
        (TELLER_B1, "c1", True),
        (TELLER_NO_BRANCH, "c1", True),  # `decide` refuses them the read before
        (RISK, "c1", True),
        (COMPLIANCE, "c1", True),
        (ADMIN_P, "c1", False),
        (NOBODY, "c1", False),
        (CLI, "c1", False),
        (CLI_WITH_ROLES, "c1", False),
        (Principal("cli", frozenset({CUSTOMER}), customer_id="c1", kind=Kind.OPERATOR), "c1", False),
    ],
)
def test_who_may_see_full_pii(principal: Principal, customer_id: str, full: bool):
    assert access.full_pii_allowed(principal, customer_id) is full
    assert access.pii_view(principal, customer_id, FULL) == (FULL if full else MASKED)
    assert access.pii_view(principal, customer_id, UNSPECIFIED) == (FULL if full else MASKED)
    assert access.pii_view(principal, customer_id, MASKED) == MASKED


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (RISK, True),
        (COMPLIANCE, True),
        (ADMIN_P, False),
        (TELLER_B1, False),
        (ME, False),
        (NOBODY, False),
        (CLI, False),
        (CLI_WITH_ROLES, False),
        (Principal("cli", frozenset({RISK_OFFICER}), kind=Kind.OPERATOR), False),
    ],
)
def test_screening_details_only_for_compliance_roles(principal: Principal, sees: bool):
    assert access.sees_compliance_details(principal) is sees


@given(
    roles=st.frozensets(st.sampled_from([ADMIN, COMPLIANCE_OFFICER, CUSTOMER, RISK_OFFICER, TELLER, "auditor"])),
    action=st.sampled_from(ALL),
    customer_id=st.sampled_from(["", "c1", "c2"]),
    branch_id=st.sampled_from(["", "b1", "b2"]),
)
def test_operators_never_write_and_never_see_clear_pii(roles, action, customer_id, branch_id):
    cli = Principal("cli", roles, customer_id="c1", branch_id="b1", kind=Kind.OPERATOR)
    decision = access.decide(cli, action, customer_id=customer_id, branch_id=branch_id)
    assert decision == (ALLOW if action in {A.READ, A.LIST, A.LIST_ALL_KYC} else READ_ONLY)
    assert access.pii_view(cli, customer_id, FULL) == MASKED
    assert not access.sees_compliance_details(cli)


@given(
    roles=st.frozensets(st.sampled_from([ADMIN, COMPLIANCE_OFFICER, CUSTOMER, RISK_OFFICER, TELLER, "auditor"])),
    action=st.sampled_from(ALL),
    customer_id=st.sampled_from(["", "c1", "c2"]),
    branch_id=st.sampled_from(["", "b1", "b2"]),
)
def test_a_refusal_always_says_why_and_an_allowance_never(roles, action, customer_id, branch_id):
    principal = Principal("x", roles, customer_id="c1", branch_id="b1")
    decision = access.decide(principal, action, customer_id=customer_id, branch_id=branch_id)
    assert (decision.why == "") is decision.allowed
