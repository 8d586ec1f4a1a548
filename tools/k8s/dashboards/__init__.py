"""Grafana dashboards as code (grafana-foundation-sdk), written into k8s/ as ConfigMaps for the dashboard sidecar
of the Grafana Helm chart (label `grafana_dashboard: "1"`).

Every metric a query names comes from the object that exports it (a rename breaks `python -m tools.k8s`, not the
dashboard), every RPC from the generated descriptors, and every SLO number and recording rule from the rules
generator: the dashboards draw the lines the alerts fire on.
"""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from services.runtime.config import Settings
from tools.k8s.dashboards import payments, red, slo
from tools.k8s.manifests import MONITORING_NAMESPACE, Resource, metadata

SIDECAR_LABEL = {"grafana_dashboard": "1"}  # what the Grafana Helm chart's dashboard sidecar watches for


class LiteralText(str):
    """A dashboard's JSON, written as a YAML block (`|`) so that a diff of k8s/ shows the changed lines."""


def dashboards(settings: Settings) -> dict[str, dict[str, Any]]:
    """uid -> the dashboard's JSON model."""
    built = [red.dashboard(settings), payments.dashboard(settings), slo.dashboard(settings)]
    models = [_numbered(json.loads(json.dumps(board.build(), cls=JSONEncoder))) for board in built]
    return {model["uid"]: model for model in models}


def _numbered(model: dict[str, Any]) -> dict[str, Any]:
    """Panel ids 1..n and query refIds A, B, ...: Grafana keys panel state and query results by them, and the
    SDK leaves them 0 and empty."""
    for variable in model["templating"]["list"]:
        variable.pop("id")  # the SDK gives every variable the same zero UUID; Grafana keys them by name
    for number, panel in enumerate(model["panels"], start=1):
        panel["id"] = number
        for index, target in enumerate(panel.get("targets", [])):
            target["refId"] = chr(ord("A") + index)
    return model


def dashboard_config_maps(settings: Settings) -> list[Resource]:
    """One ConfigMap per dashboard in Grafana's namespace (where Prometheus runs), which the Grafana Helm
    chart's sidecar loads (`sidecar.dashboards.enabled`, its default label)."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _sidecar(metadata(f"grafana-dashboard-{uid}", "fintech")),
            "data": {f"{uid}.json": LiteralText(json.dumps(model, indent=2, sort_keys=True) + "\n")},
        }
        for uid, model in dashboards(settings).items()
    ]


def _sidecar(meta: dict[str, Any]) -> dict[str, Any]:
    return {"name": meta["name"], "namespace": MONITORING_NAMESPACE, "labels": meta["labels"] | SIDECAR_LABEL}
