"""The rules, checked and unit-tested by promtool; every alert has a firing and a quiet case; the local
Prometheus loads exactly what Kubernetes deploys; the scrape list names what the rules select."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import services.lake.adapters.exchange_tasks  # noqa: F401  (registers the file exchange's gauge)
import services.lake.adapters.reconciliation_metrics  # noqa: F401  (registers the reconciliation's gauges)
import services.payments.adapters.backlog_metrics
import services.risk.app.fraud  # noqa: F401  (registers risk_fraud_decisions_total)
import services.runtime.access
import services.runtime.consumer
import services.runtime.db
import services.runtime.flags
import services.runtime.relay  # noqa: F401
from services.runtime.config import ROOT, SERVICES, Settings
from tools.k8s.__main__ import file_settings
from tools.mesh import Mesh
from tools.mesh.prometheus import rules_file, scrape_config
from tools.observability.rules import alert_names, rule_groups

HERE = Path(__file__).parent
CASES = HERE / "rules_test.yaml"
# Series the exporters and Prometheus itself give, not the mesh's Python code.
EXPORTED_ELSEWHERE = {"up", "pg_up", "redis_up", "envoy_http_jwt_authn_denied"}


def _promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing: run `make setup` (Debian package prometheus)"
    return path


def _run(*args: str, cwd: Path) -> None:
    result = subprocess.run([_promtool(), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_promtool_checks_and_unit_tests_the_rules(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(rules_file(file_settings().mesh.namespace))
    shutil.copy(CASES, tmp_path / CASES.name)
    _run("check", "rules", "rules.yml", cwd=tmp_path)
    _run("test", "rules", CASES.name, cwd=tmp_path)


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    cases = yaml.safe_load(CASES.read_text())
    firing: set[str] = set()
    quiet: set[str] = set()
    for test in cases["tests"]:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    alerts = set(alert_names("fintech"))
    assert alerts - firing == set(), "alerts without a firing case in rules_test.yaml"
    assert alerts - quiet == set(), "alerts without a quiet case in rules_test.yaml"
    assert (firing | quiet) <= alerts, "cases of alerts that no longer exist"


def test_the_local_rules_are_the_kubernetes_rules() -> None:
    deployed = yaml.safe_load((ROOT / "k8s" / "base" / "generated" / "slo-rules.yaml").read_text())
    local = yaml.safe_load(rules_file(file_settings().mesh.namespace))
    assert local["groups"] == deployed["spec"]["groups"]


def _expressions() -> list[str]:
    return [rule["expr"] for group in rule_groups("fintech") for rule in group["rules"]]


def test_the_rules_select_metrics_that_exist() -> None:
    exported = {sample.name for family in REGISTRY.collect() for sample in family.samples}
    exported |= {family.name + suffix for family in REGISTRY.collect() for suffix in ("_total", "_bucket", "")}
    recorded = {rule["record"] for group in rule_groups("fintech") for rule in group["rules"] if "record" in rule}
    used: set[str] = set()
    for expr in _expressions():
        # A metric is a name right before its selector ({...}) or range ([5m]); label values are dropped first.
        bare = re.sub(r'"[^"]*"', '""', expr)
        used |= set(re.findall(r"\b([a-zA-Z_][\w:]*)[{\[]", bare)) | set(re.findall(r"\b(fintech:[\w:]+)", bare))
    assert used, "no metric found in the rules"
    unknown = used - exported - recorded - EXPORTED_ELSEWHERE
    assert unknown == set()


def test_the_scrape_jobs_are_the_names_the_rules_and_service_monitors_use() -> None:
    settings = Settings.model_validate(file_settings().model_dump())
    mesh = Mesh(settings)
    prometheus = mesh.components["prometheus"]
    config: dict[str, Any] = scrape_config(settings, prometheus.targets(), Path("rules.yml"))  # type: ignore[attr-defined]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    expected = {*SERVICES, "edge-gateway", "triton", "ratelimit", "postgres", "redis", "prometheus", "alertmanager"}
    assert expected <= set(jobs)
    for job in jobs.values():
        (static,) = job["static_configs"]
        assert static["labels"] == {"namespace": settings.mesh.namespace}
    assert jobs["edge-gateway"]["metrics_path"] == "/stats/prometheus"
    payments = settings.service("payments").metrics_port
    assert jobs["payments"]["static_configs"][0]["targets"] == [f"127.0.0.1:{payments}"]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        f"127.0.0.1:{settings.alertmanager.port}"
    ]


@pytest.mark.parametrize("alert", sorted(set(alert_names("fintech"))))
def test_every_alert_says_how_bad_and_what(alert: str) -> None:
    rules = [r for g in rule_groups("fintech") for r in g["rules"] if r.get("alert") == alert]
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"]
