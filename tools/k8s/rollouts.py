"""Progressive delivery with Argo Rollouts (argoproj.io/v1alpha1): the services' Deployments become `Rollout`s.

- A service with an API: a canary whose share of the calls Istio sets, 5 -> 25 -> 50 -> 100 %, with an analysis
  (tools/observability/analysis.py) before each increase. Argo Rollouts moves the weights of the route `primary` of
  the service's VirtualService (written here) between the `stable` and `canary` subsets of its DestinationRule
  (istio/traffic/destination-rules.yaml), and adds each version's `rollouts-pod-template-hash` to the subsets.
- A Kafka consumer with a health-only API (lake, analytics): the same steps, the share being the replicas', paused
  instead of analysed (no calls to measure).
- The edge: blue-green. The new version starts behind `edge-gateway-preview`, its errors are analysed before and
  after it takes over `edge-gateway`; the old version stays up ten minutes after, for an instant roll back.

Pods keep the Deployment's labels, so the NetworkPolicies and AuthorizationPolicies (by `app`) cover canary and
preview pods alike; the autoscalers scale the Rollout.
"""

from __future__ import annotations

from typing import Any

from tools.observability.analysis import API_VERSION

Resource = dict[str, Any]

WEIGHTS = (5, 25, 50)  # then 100 %
PAUSE = "5m"  # per step, where no analysis decides
SCALE_DOWN_DELAY_SECONDS = 600  # the edge's old version, kept for an instant roll back
PREVIEW_SUFFIX = "-preview"
ROUTE = "primary"
# The analyses of every service with an API, and the business signals of the services that own them.
SLO_TEMPLATES = ("fintech-error-rate", "fintech-latency-p95")
BUSINESS_TEMPLATES = {"payments": ("fintech-payment-failures",), "risk": ("fintech-fraud-declines",)}
WORKLOAD_REF = {"apiVersion": API_VERSION, "kind": "Rollout"}


def _rollout(deployment: Resource, strategy: Resource) -> Resource:
    spec = {key: value for key, value in deployment["spec"].items() if key != "strategy"}
    return {
        "apiVersion": API_VERSION,
        "kind": "Rollout",
        "metadata": deployment["metadata"],
        "spec": spec | {"revisionHistoryLimit": 3, "strategy": strategy},
    }


def _hashes() -> list[Resource]:
    return [
        {"name": "canary-hash", "valueFrom": {"podTemplateHashValue": "Latest"}},
        {"name": "stable-hash", "valueFrom": {"podTemplateHashValue": "Stable"}},
    ]


def canary(deployment: Resource, host: str | None) -> Resource:
    """The Rollout of a service; `host` (its Service's name in the mesh) routes the canary's share through Istio,
    None shifts replicas."""
    name = deployment["metadata"]["name"]
    if host is None:
        checks: list[Resource] = [{"pause": {"duration": PAUSE}}]
        routing: Resource = {}
    else:
        templates = [*SLO_TEMPLATES, *BUSINESS_TEMPLATES.get(name, ())]
        args = [{"name": "service", "value": name}, *_hashes()]
        checks = [{"analysis": {"templates": [{"templateName": t} for t in templates], "args": args}}]
        routing = {
            "trafficRouting": {
                "istio": {
                    "virtualService": {"name": name, "routes": [ROUTE]},
                    "destinationRule": {"name": name, "canarySubsetName": "canary", "stableSubsetName": "stable"},
                }
            }
        }
    steps = [step for weight in WEIGHTS for step in ({"setWeight": weight}, *checks)] + [{"setWeight": 100}]
    return _rollout(deployment, {"canary": routing | {"steps": steps}})


def virtual_service(name: str, host: str, namespace: str) -> Resource:
    """The route whose weights Argo Rollouts moves; all to the stable subset between releases."""
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "hosts": [host],
            "http": [
                {
                    "name": ROUTE,
                    "route": [
                        {"destination": {"host": host, "subset": "stable"}, "weight": 100},
                        {"destination": {"host": host, "subset": "canary"}, "weight": 0},
                    ],
                }
            ],
        },
    }


def blue_green(deployment: Resource) -> Resource:
    """The edge's Rollout: promoted by hand (autoPromotionEnabled false; the dev overlay promotes by itself)."""
    name = deployment["metadata"]["name"]
    new = [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]
    analysis = {"templates": [{"templateName": "fintech-edge-errors"}], "args": new}
    strategy = {
        "blueGreen": {
            "activeService": name,
            "previewService": name + PREVIEW_SUFFIX,
            "autoPromotionEnabled": False,
            # The preview's smoke traffic (README's GitOps walk-through) decides before it takes over; real
            # traffic after, with the old version still up to switch back to.
            "prePromotionAnalysis": analysis,
            "postPromotionAnalysis": analysis,
            "scaleDownDelaySeconds": SCALE_DOWN_DELAY_SECONDS,
        }
    }
    return _rollout(deployment, strategy)


def preview_service(service: Resource) -> Resource:
    """The active Service's twin; Argo Rollouts points its selector at the new version's pods."""
    preview = {**service, "metadata": {**service["metadata"], "name": service["metadata"]["name"] + PREVIEW_SUFFIX}}
    return preview


def scale_rollout(autoscaler: Resource) -> Resource:
    autoscaler["spec"]["scaleTargetRef"] |= WORKLOAD_REF
    return autoscaler
