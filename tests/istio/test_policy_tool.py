"""`python -m tools.policy`: passes on the shipped policies, fails on a broken copy, prints the graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from services.runtime.config import ROOT
from tests.runtime.test_authz import CALL_GRAPH
from tools.policy.__main__ import main
from tools.policy.check import Policies

ISTIO = ROOT / "istio"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ISTIO, tmp_path / "istio")
    return tmp_path / "istio"


def add_rule(istio: Path, service: str, caller: str, path: str) -> None:
    """Append an ALLOW rule to a copy's policy of `service`: `caller` may call `path`."""
    file = istio / f"authz-{service}.yaml"
    policy = yaml.safe_load(file.read_text())
    source = {"principals": [f"cluster.local/ns/fintech/sa/{caller}"]}
    policy["spec"]["rules"].append({"from": [{"source": source}], "to": [{"operation": {"paths": [path]}}]})
    file.write_text(yaml.safe_dump(policy))


def test_the_shipped_policies_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert Policies().problems() == []
    assert main(["check"]) == 0
    assert "sound" in capsys.readouterr().out


def test_a_misspelt_method_fails(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_rule(copy, "risk", "payments", "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFrau")
    problems = Policies(copy).problems()
    assert len(problems) == 1
    assert "path /fintech.risk.v1.FraudDetectionService/EvaluateTransactionFrau matches no RPC" in problems[0]
    assert main(["check", "--istio", str(copy)]) == 1
    assert "EvaluateTransactionFrau" in capsys.readouterr().err


def test_an_unknown_principal_fails(copy: Path) -> None:
    add_rule(copy, "ml", "riks", "/fintech.ml.v1.ModelServingService/Predict")
    (problem,) = Policies(copy).problems()
    assert "principal cluster.local/ns/fintech/sa/riks is no workload" in problem


def test_a_path_of_another_service_fails(copy: Path) -> None:
    add_rule(copy, "ml", "payments", "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud")
    (problem,) = Policies(copy).problems()
    assert "is served by risk, not by ml" in problem


def test_an_internal_rpc_opened_to_the_edge_fails(copy: Path) -> None:
    add_rule(copy, "features", "edge-gateway", "/fintech.features.v1.FeatureStoreService/EraseEntityFeatures")
    problems = Policies(copy).problems()
    assert problems == [
        "/fintech.features.v1.FeatureStoreService/EraseEntityFeatures is INTERNAL but edge-gateway may call it"
    ]


def test_a_public_rpc_closed_to_the_edge_fails(copy: Path) -> None:
    file = copy / "authz-features.yaml"
    policy = yaml.safe_load(file.read_text())
    for rule in policy["spec"]["rules"]:
        for entry in rule.get("to", []):
            paths = entry["operation"]["paths"]
            paths[:] = [path for path in paths if not path.endswith("/ListFeatureDefinitions")]
    file.write_text(yaml.safe_dump(policy))
    problems = Policies(copy).problems()
    assert problems == [
        "/fintech.features.v1.FeatureStoreService/ListFeatureDefinitions is public but edge-gateway may not call it"
    ]


def test_a_service_without_an_allow_policy_fails(copy: Path) -> None:
    (copy / "authz-ml.yaml").unlink()
    problems = Policies(copy).problems()
    assert "ml: no ALLOW policy applies, so every caller may call everything" in problems


def test_the_graph_shows_exactly_the_internal_calls() -> None:
    graph = Policies().graph()
    internal = {
        (caller, service, method)
        for (caller, service), methods in graph.items()
        if caller not in ("edge-gateway", "cli")
        for line in methods
        if line != "health"
        for method in line.split(": ")[1].split(", ")
    }
    # The platform's internal calls, as the runtime's policy tests define them.
    expected = {(caller, callee, path.rsplit("/", 1)[1]) for caller, callee, path in CALL_GRAPH}
    assert internal == expected
    assert graph[("cli", "payments")][-2:] == ["health", "reflection"]
    assert graph[("ml", "risk")] == ["health"]


def test_graph_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph"]) == 0
    out = capsys.readouterr().out
    assert "FraudDetectionService: EvaluateTransactionFraud" in out
    assert "health checks only from" in out
