"""Argo Rollouts' AnalysisTemplates: the SLOs and business signals of rules.py, asked of a new version's pods.

The queries are rules.py's expressions (one source: an analysis checks what the alerts watch) over the pods of one
version: the ServiceMonitors copy the pods' `rollouts-pod-template-hash` label onto their series
(`rollouts_pod_template_hash`), and each Rollout passes the canary's and the stable's hashes as arguments
(tools/k8s/rollouts.py). A hash of "" selects the series without the label: the local mesh's, which has one version
(tests/observability/test_analysis.py runs every template there).

Conditions keep one form, `result[0] <= <threshold>`: an empty answer (no traffic yet) errors and a NaN fails, so a
version nobody called is never promoted on silence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.observability import rules

Template = dict[str, Any]

API_VERSION = "argoproj.io/v1alpha1"
PROMETHEUS = "http://prometheus-operated.monitoring.svc.cluster.local:9090"  # the Prometheus operator's Service
HASH_LABEL = "rollouts_pod_template_hash"  # the pod label `rollouts-pod-template-hash`, as the operator names it
WINDOW = "2m"  # each measurement's rate window (an argument: the local test shortens it)
INTERVAL, COUNT = "1m", 3  # three measurements a minute apart per analysis step
EDGE = "edge-gateway"


def _version(namespace: str, arg: str) -> str:
    return f'namespace="{namespace}",{HASH_LABEL}="{{{{args.{arg}}}}}"'


def _service(namespace: str) -> str:
    return f'{_version(namespace, "canary-hash")},job="{{{{args.service}}}}"'


def _against_stable(expression: Callable[..., str], namespace: str, window: str) -> str:
    """The canary's value minus the stable's: a change in the new version, not in the traffic. No stable series
    (a first release; or locally) counts as 0, so the canary is held to the threshold itself."""
    canary, stable = (
        expression(_version(namespace, "canary-hash"), window, none_is_zero=True),
        expression(_version(namespace, "stable-hash"), window, none_is_zero=True),
    )
    return f"({canary}) - (({stable}) or vector(0))"


def _template(
    name: str, summary: str, args: list[str], query: str, threshold: float, initial_delay: str | None = None
) -> Template:
    delay = {"initialDelay": initial_delay} if initial_delay else {}
    return {
        "apiVersion": API_VERSION,
        "kind": "AnalysisTemplate",
        "metadata": {"name": name, "annotations": {"fintech-mesh/summary": summary}},
        "spec": {
            "args": [{"name": arg} for arg in args] + [{"name": "window", "value": WINDOW}],
            "metrics": [
                {
                    "name": name.removeprefix("fintech-"),
                    **delay,
                    "interval": INTERVAL,
                    "count": COUNT,
                    "failureLimit": 0,
                    "successCondition": f"result[0] <= {threshold:g}",
                    "provider": {"prometheus": {"address": PROMETHEUS, "query": query}},
                }
            ],
        },
    }


def analysis_templates(namespace: str) -> list[Template]:
    window = "{{args.window}}"
    # The REST listener's requests (tools/edge/config.py's stat_prefix), not the admin port's.
    envoy_requests = f'{_version(namespace, "hash")},job="{EDGE}",envoy_http_conn_manager_prefix="rest"'
    return [
        _template(
            "fintech-error-rate",
            "the canary's server errors stay under the SLO's error rate (FintechErrorRateHigh)",
            ["service", "canary-hash"],
            rules.server_error_ratio(_service(namespace), window, none_is_zero=True),
            rules.ERROR_RATE_THRESHOLD,
        ),
        _template(
            "fintech-latency-p95",
            "the canary's p95 latency stays under the SLO's (FintechLatencyP95High)",
            ["service", "canary-hash"],
            rules.p95_latency(_service(namespace), window),
            rules.P95_LATENCY_SECONDS,
        ),
        _template(
            "fintech-payment-failures",
            "the canary's payment failure rate exceeds the stable's by less than PaymentFailureRateHigh's threshold",
            ["canary-hash", "stable-hash"],
            _against_stable(rules.payment_failure_ratio, namespace, window),
            rules.PAYMENT_FAILURE_RATIO,
        ),
        _template(
            "fintech-fraud-declines",
            "the canary's fraud decline rate exceeds the stable's by less than FraudDeclineRateHigh's threshold",
            ["canary-hash", "stable-hash"],
            _against_stable(rules.fraud_decline_ratio, namespace, window),
            rules.FRAUD_DECLINE_RATIO,
        ),
        _template(
            "fintech-edge-errors",
            "the edge version's 5xx answers stay under the SLO's error rate",
            ["hash"],
            rules.ratio(
                "envoy_http_downstream_rq_xx",
                f'{envoy_requests},envoy_response_code_class="5"',
                envoy_requests,
                window,
                none_is_zero=True,
            ),
            rules.ERROR_RATE_THRESHOLD,
            # A preview has no users: its smoke traffic (README's GitOps walk-through) has a window's time to arrive.
            initial_delay=WINDOW,
        ),
    ]
