"""The Grafana dashboards of k8s/ (tools/k8s/dashboards): every query parses (promtool), names only metrics some
code exports (or the SLO rules record), with labels those metrics have; every service has its RED row; the lines
drawn are the alerts' thresholds; each dashboard is a ConfigMap the Grafana sidecar loads."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from fintech.payments.v1 import payment_initiation_service_pb2
from prometheus_client import REGISTRY

from services.runtime.config import ROOT, SERVICES
from tools.k8s.__main__ import file_settings
from tools.k8s.dashboards import SIDECAR_LABEL, dashboards
from tools.k8s.dashboards.panels import recorded, rpc
from tools.k8s.manifests import MONITORING_NAMESPACE, slo_rules
from tools.observability.rules import (
    AVAILABILITY_OBJECTIVE,
    BURN_RATES,
    CONSUMER_LAG_RECORDS,
    ERROR_RATE_THRESHOLD,
    FRAUD_DECLINE_RATIO,
    FRAUD_REVIEW_RATIO,
    P95_LATENCY_SECONDS,
    PAYMENT_FAILURE_RATIO,
    REVIEW_QUEUE_AGE_SECONDS,
    SETTLEMENT_CUTOFF_SECONDS,
)

Model = dict[str, Any]
PROMTOOL = shutil.which("promtool")
# Grafana's variables, replaced by what Grafana would put there before Prometheus sees the query.
VARIABLES = {"$__rate_interval": "1m", "$job": "payments"}
# Labels Prometheus adds to every scraped series (the ServiceMonitors' job, the pod's namespace).
TARGET_LABELS = {"job", "namespace", "instance", "pod", "service"}
AGGREGATION = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")


@pytest.fixture(scope="module")
def models() -> dict[str, Model]:
    return dashboards(file_settings())


def panels(model: Model) -> list[Model]:
    return [panel for panel in model["panels"] if panel["type"] != "row"]


def expressions(models: dict[str, Model]) -> list[tuple[str, str]]:
    """(dashboard uid / panel title, PromQL) of every query."""
    return [
        (f"{uid} / {panel['title']}", target["expr"])
        for uid, model in models.items()
        for panel in panels(model)
        for target in panel["targets"]
    ]


def substituted(expr: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable the test does not know: {expr}"
    return expr


def names_in(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers that are neither functions, keywords,
    label names (matchers, by/without/on lists) nor numbers."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = AGGREGATION.sub(" ", expr)
    tokens = re.findall(r"(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?", expr)
    keywords = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
    return {name for name, call in tokens if not call and name.lower() not in keywords}


def selectors_in(expr: str) -> list[tuple[str, set[str]]]:
    """(metric, the label names its matchers use) of every `metric{...}`."""
    found = []
    for name, matchers in re.findall(r"([a-zA-Z_:][\w:]*)\{([^}]*)\}", expr):
        found.append((name, set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))))
    return found


def exported() -> dict[str, set[str]]:
    """Every sample name the code can export -> its labels: the modules of services/ that create a
    prometheus_client metric, imported, and read back from the default registry."""
    for path in sorted((ROOT / "services").rglob("*.py")):
        if "prometheus_client" in path.read_text():
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    names: dict[str, set[str]] = {}
    for name, collector in REGISTRY._names_to_collectors.items():  # noqa: SLF001 (the registry keeps no other index)
        names[name] = {*getattr(collector, "_labelnames", ()), *(["le"] if name.endswith("_bucket") else [])}
    return names


def rules_output() -> dict[str, set[str]]:
    """What the rules put into Prometheus: their recorded series (labels: those they aggregate by) and ALERTS."""
    rules = [rule for group in slo_rules(file_settings())["spec"]["groups"] for rule in group["rules"]]
    out = {
        rule["record"]: {
            label.strip() for _, listed in AGGREGATION.findall(rule["expr"]) for label in listed.split(",")
        }
        for rule in rules
        if "record" in rule
    }
    out["ALERTS"] = {"alertname", "alertstate", "severity", "slo", "category", "job", "principal"}
    return out


def promtool_check(tmp_path: Path, queries: list[tuple[str, str]]) -> subprocess.CompletedProcess[str]:
    """promtool parses each query as the expression of a recording rule."""
    assert PROMTOOL, "promtool is missing: run `make setup` (Debian package prometheus)"
    rules = [{"record": f"dashboard:query_{n}", "expr": substituted(expr)} for n, (_, expr) in enumerate(queries)]
    path = tmp_path / "dashboards.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    return subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, check=False)


# -- the queries ----------------------------------------------------------------------------------------------


def test_every_query_parses(models: dict[str, Model], tmp_path: Path) -> None:
    queries = expressions(models)
    assert len(queries) > 30
    result = promtool_check(tmp_path, queries)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_query_that_does_not_parse_is_found(tmp_path: Path) -> None:
    result = promtool_check(tmp_path, [("planted", "sum by (job) (rate(grpc_server_handled_total[$__rate_interval])")])
    assert result.returncode != 0
    assert "dashboard:query_0" in result.stdout + result.stderr


def test_every_metric_a_query_names_is_exported_with_the_labels_it_selects(models: dict[str, Model]) -> None:
    known = exported() | rules_output()
    for where, expr in expressions(models):
        names = names_in(expr)
        assert names, f"{where}: no metric in {expr}"
        assert names <= known.keys(), f"{where}: {sorted(names - known.keys())} are exported by no code"
        labels = set().union(*(known[name] for name in names)) | TARGET_LABELS
        for name, matchers in selectors_in(expr):
            assert matchers <= known[name] | TARGET_LABELS, f"{where}: {name} has no label {matchers - known[name]}"
        for _, listed in AGGREGATION.findall(expr):
            grouped = {label.strip() for label in listed.split(",") if label.strip()}
            assert grouped <= labels, f"{where}: grouped by {grouped - labels}, a label none of {names} has"


def test_the_metric_check_finds_a_name_no_code_exports() -> None:
    known = exported()
    expr = 'sum by (job) (rate(grpc_server_handeld_total{job="x"}[5m])) / sum(grpc_server_admitted_in_flight)'
    assert names_in(expr) == {"grpc_server_handeld_total", "grpc_server_admitted_in_flight"}
    assert names_in(expr) - known.keys() == {"grpc_server_handeld_total"}
    assert selectors_in('x{grpc_code!="OK",job=~"a|b"}') == [("x", {"grpc_code", "job"})]


def test_a_renamed_rule_or_rpc_breaks_the_build() -> None:
    settings = file_settings()
    assert recorded(settings, "fintech:grpc_server_error_ratio:rate5m")
    with pytest.raises(KeyError):
        recorded(settings, "fintech:grpc_server_error_ratio:rate7m")
    assert rpc(payment_initiation_service_pb2, "PaymentInitiationService", "InitiatePayment").method
    with pytest.raises(KeyError):
        rpc(payment_initiation_service_pb2, "PaymentInitiationService", "StartPayment")


# -- RED ----------------------------------------------------------------------------------------------------------


def test_every_service_has_a_red_row(models: dict[str, Model]) -> None:
    red = models["fintech-red"]
    (job,) = [variable for variable in red["templating"]["list"] if variable["name"] == "job"]
    assert job["query"].split(",") == list(SERVICES)
    assert job["includeAll"] and job["current"]["value"] == "$__all"  # every service's row by default
    rows = [index for index, panel in enumerate(red["panels"]) if panel["type"] == "row"]
    repeated = [index for index in rows if red["panels"][index].get("repeat") == "job"]
    assert len(repeated) == 1, "one row, repeated for each service the job variable selects"
    start = repeated[0] + 1
    end = next((index for index in rows if index > start), len(red["panels"]))
    row = red["panels"][start:end]
    queries = [target["expr"] for panel in row for target in panel["targets"]]
    assert all('job="$job"' in expr for expr in queries)
    handled = [expr for expr in queries if "grpc_server_handled_total" in expr]
    assert any("grpc_code" in expr for expr in handled), "no errors panel"
    assert len(handled) >= 2, "no rate panel"
    assert any("histogram_quantile" in expr and "grpc_server_handling_seconds_bucket" in expr for expr in queries)


# -- the lines are the alerts' thresholds -----------------------------------------------------------------------


def red_line(panel: Model) -> float:
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    return float(steps[-1]["value"])


def test_the_burn_rate_panels_draw_each_alert_window(models: dict[str, Model]) -> None:
    slo = models["fintech-slo"]
    burn = [panel for panel in panels(slo) if "windows above" in panel["title"]]
    assert len(burn) == len(BURN_RATES)
    budget = 1 - AVAILABILITY_OBJECTIVE
    for panel, (severity, long, short, rate) in zip(burn, BURN_RATES, strict=True):
        assert panel["title"].startswith(severity)
        assert red_line(panel) == rate
        exprs = [target["expr"] for target in panel["targets"]]
        assert [names_in(e) for e in exprs] == [{f"fintech:grpc_server_error_ratio:rate{w}"} for w in (long, short)]
        assert all(e.startswith("max by (job) (") and e.endswith(f") / {budget:g}") for e in exprs)
    (availability,) = [panel for panel in panels(slo) if panel["title"].startswith("Availability")]
    assert red_line(availability) == AVAILABILITY_OBJECTIVE
    alerts = [panel for panel in panels(slo) if panel["title"] == "Alerts firing"][0]["targets"][0]["expr"]
    for group in slo_rules(file_settings())["spec"]["groups"]:
        assert all(rule["alert"] in alerts for rule in group["rules"] if "alert" in rule)


def test_latency_and_error_panels_draw_the_objectives(models: dict[str, Model]) -> None:
    lines = {
        (uid, panel["title"]): red_line(panel)
        for uid, model in models.items()
        for panel in panels(model)
        if panel["fieldConfig"]["defaults"].get("thresholds")
    }
    assert lines[("fintech-red", "Duration p95")] == P95_LATENCY_SECONDS
    assert lines[("fintech-red", "Server errors")] == ERROR_RATE_THRESHOLD
    assert lines[("fintech-slo", "Server error ratio (5m)")] == ERROR_RATE_THRESHOLD
    assert lines[("fintech-payments", "Payment failure rate")] == PAYMENT_FAILURE_RATIO
    assert lines[("fintech-payments", "Declined")] == FRAUD_DECLINE_RATIO
    assert lines[("fintech-payments", "Held for review")] == FRAUD_REVIEW_RATIO
    assert lines[("fintech-payments", "Review queue: longest wait")] == REVIEW_QUEUE_AGE_SECONDS
    assert lines[("fintech-payments", "Settlement: oldest batch past its window")] == SETTLEMENT_CUTOFF_SECONDS
    assert lines[("fintech-payments", "Consumer lag")] == CONSUMER_LAG_RECORDS


# -- the ConfigMaps ---------------------------------------------------------------------------------------------


def test_each_dashboard_is_a_config_map_for_the_grafana_sidecar(
    rendered: dict[str, list[dict[str, Any]]], models: dict[str, Model]
) -> None:
    for overlay, resources in rendered.items():
        maps = [
            r
            for r in resources
            if r["kind"] == "ConfigMap" and SIDECAR_LABEL.items() <= r["metadata"]["labels"].items()
        ]
        assert len(maps) == len(models) == 3, overlay
        for config_map in maps:
            assert config_map["metadata"]["namespace"] == MONITORING_NAMESPACE
            ((key, text),) = config_map["data"].items()
            model = json.loads(text)
            assert key == f"{model['uid']}.json"
            assert model == models[model["uid"]]
            assert all(panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24 for panel in model["panels"])
            ids = [panel["id"] for panel in model["panels"]]
            assert len(set(ids)) == len(ids) and 0 not in ids
            for panel in panels(model):
                assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
                refs = [target["refId"] for target in panel["targets"]]
                assert refs and len(set(refs)) == len(refs) and "" not in refs
