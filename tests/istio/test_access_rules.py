"""The contracts' end-user access rules: the policy tool fails on a missing or unsafe rule, README's table is fresh."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from services.runtime.access import ROLES, Kind, Principal, Rule, rule_for
from services.runtime.config import ROOT
from tools.gen import build_descriptor_set
from tools.policy import access
from tools.policy.__main__ import main
from tools.policy.contracts import contract_rpcs, load_generated_services

COMPLIANCE = "fintech/risk/v1/regulatory_compliance_service.proto"


def test_every_public_rpc_declares_its_roles_and_the_runtime_reads_the_same_rule():
    load_generated_services()
    public = [rpc for rpc in contract_rpcs() if rpc.public and not rpc.internal]
    assert len(public) >= 50
    for rpc in public:
        assert rpc.access is not None and rpc.access.roles <= ROLES, rpc.path
        assert rule_for(rpc.path) == rpc.access
    assert access.problems(contract_rpcs()) == []
    with pytest.raises(LookupError):  # a contract method the process has not loaded is never "no rule"
        rule_for("/fintech.payments.v1.NoSuchService/Anything")


def test_the_readme_table_is_the_one_the_rules_give():
    table = access.matrix(contract_rpcs())
    readme = access.README.read_text()
    assert access.readme_with(table, readme) == readme, "stale: run `python -m tools.policy matrix --write`"
    assert "| risk: `RegulatoryComplianceService/ListAuditRecords` | · | · | · | ✓ | · | · | · |" in table


def _broken(tmp_path: Path, edit) -> Path:
    """A descriptor set of a copy of the contracts with one service file edited."""
    proto = tmp_path / "proto"
    shutil.copytree(ROOT / "proto", proto)
    target = proto / COMPLIANCE
    target.write_text(edit(target.read_text()))
    out = tmp_path / "broken.binpb"
    build_descriptor_set(proto, out)
    return out


def _rule_of(method: str, text: str) -> re.Match[str]:
    match = re.search(rf"rpc {method}\(.*?(option \(fintech\.common\.v1\.access\) = \{{.*?\}};)", text, re.S)
    assert match, method
    return match


def test_a_public_rpc_without_a_rule_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    def drop(text: str) -> str:
        rule = _rule_of("RetrieveAuditRecord", text)
        return text[: rule.start(1)] + text[rule.end(1) :]

    assert main(["check", "--descriptors", str(_broken(tmp_path, drop))]) == 1
    assert "RetrieveAuditRecord is public but declares no (fintech.common.v1.access) rule" in capsys.readouterr().err


def test_a_staff_rpc_opened_to_customers_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    def open_to_customers(text: str) -> str:
        rule = _rule_of("ListAuditRecords", text)
        opened = rule.group(1).replace("ROLE_COMPLIANCE_OFFICER", "ROLE_COMPLIANCE_OFFICER, ROLE_CUSTOMER")
        return text[: rule.start(1)] + opened + text[rule.end(1) :]

    assert main(["check", "--descriptors", str(_broken(tmp_path, open_to_customers))]) == 1
    err = capsys.readouterr().err
    assert "ListAuditRecords is for staff only but open to customer" in err
    assert "ListAuditRecords is open to customer without scoping them to their own resources" in err


def test_ownership_scope_of_a_rule():
    rule = Rule(frozenset({"customer", "teller", "admin"}), frozenset({"customer", "teller"}))
    assert rule.unscoped(Principal("a", frozenset({"admin"})))
    assert not rule.unscoped(Principal("c", frozenset({"customer"}), customer_id="x"))
    assert rule.unscoped(Principal("cli", kind=Kind.OPERATOR)) and rule.unscoped(Principal("risk", kind=Kind.SERVICE))
    # A person with an unscoped role and a scoped one reaches everything: the wider duty decides.
    assert rule.unscoped(Principal("both", frozenset({"customer", "admin"})))
