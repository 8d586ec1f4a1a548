"""Argo CD sync waves of the generated resources: the order in which Argo CD applies an overlay, each wave healthy
before the next (k8s/gitops/applicationset.yaml). The operators and their CRDs come before, in their own
Applications (wave -1 of k8s/gitops/operators.yaml); the hand-written k8s/base/kafka.yaml carries its wave itself.

0 (unannotated): configuration, accounts, policies, Services, monitoring, the analyses;
1: the data: Kafka's topics, PostgreSQL, Redis (the object store is the bank's S3, outside);
2: the services and what they call (Triton, the token issuer, the rate limit service), the batch jobs;
3: the edge, once every service it routes to is healthy.
"""

from __future__ import annotations

from typing import Any

WAVE = "argocd.argoproj.io/sync-wave"
DATA = {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "StatefulSet"}
WORKLOADS = {"Rollout", "Deployment", "SparkApplication"}
EDGE = "edge-gateway"


def wave(resource: dict[str, Any]) -> int:
    kind, name = resource["kind"], resource["metadata"]["name"]
    if kind in DATA:
        return 1
    if kind in WORKLOADS:
        return 3 if name == EDGE else 2
    return 0


def annotate(resource: dict[str, Any]) -> None:
    if number := wave(resource):
        resource["metadata"].setdefault("annotations", {})[WAVE] = str(number)
