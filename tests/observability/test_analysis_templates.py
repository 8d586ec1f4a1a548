"""The AnalysisTemplates as data (no mesh): each asks what an alert rule watches, with the alert's threshold, and
every placeholder of its query is an argument it declares (Argo Rollouts refuses a run with an unresolved one)."""

from __future__ import annotations

import re

from tools.observability import analysis, rules


def test_each_template_asks_an_alerts_expression_with_its_threshold() -> None:
    templates = {t["metadata"]["name"]: t for t in analysis.analysis_templates("fintech")}
    canary = 'namespace="fintech",rollouts_pod_template_hash="{{args.canary-hash}}"'
    service = canary + ',job="{{args.service}}"'
    window = "{{args.window}}"
    expected = {
        "fintech-error-rate": (
            rules.server_error_ratio(service, window, none_is_zero=True),
            rules.ERROR_RATE_THRESHOLD,
        ),
        "fintech-latency-p95": (rules.p95_latency(service, window), rules.P95_LATENCY_SECONDS),
        "fintech-payment-failures": (
            rules.payment_failure_ratio(canary, window, none_is_zero=True),
            rules.PAYMENT_FAILURE_RATIO,
        ),
        "fintech-fraud-declines": (
            rules.fraud_decline_ratio(canary, window, none_is_zero=True),
            rules.FRAUD_DECLINE_RATIO,
        ),
    }
    for name, (expression, threshold) in expected.items():
        (metric,) = templates[name]["spec"]["metrics"]
        assert expression in metric["provider"]["prometheus"]["query"], name
        assert metric["successCondition"] == f"result[0] <= {threshold:g}"
    # The business signals compare with the stable version.
    for name in ("fintech-payment-failures", "fintech-fraud-declines"):
        query = templates[name]["spec"]["metrics"][0]["provider"]["prometheus"]["query"]
        assert "{{args.stable-hash}}" in query and ") - ((" in query


def test_every_placeholder_is_a_declared_argument() -> None:
    for template in analysis.analysis_templates("fintech"):
        declared = {arg["name"] for arg in template["spec"]["args"]}
        (metric,) = template["spec"]["metrics"]
        used = set(re.findall(r"\{\{args\.([\w-]+)\}\}", metric["provider"]["prometheus"]["query"]))
        assert used == declared, template["metadata"]["name"]
        assert metric["provider"]["prometheus"]["address"] == analysis.PROMETHEUS


def test_the_rules_keep_their_expressions() -> None:
    """The refactoring into shared expressions left the recording rules as they were."""
    recorded = {r["record"]: r["expr"] for g in rules.rule_groups("fintech") for r in g["rules"] if "record" in r}
    assert recorded["fintech:payment_failure_ratio:rate5m"] == (
        'sum(rate(grpc_server_handled_total{namespace="fintech",job="payments",grpc_method="InitiatePayment",'
        'grpc_code!~"OK|INVALID_ARGUMENT|UNAUTHENTICATED|PERMISSION_DENIED|NOT_FOUND|ALREADY_EXISTS"}[5m])) '
        '/ sum(rate(grpc_server_handled_total{namespace="fintech",job="payments",grpc_method="InitiatePayment"}[5m]))'
    )
    assert " or vector(0)" not in "".join(recorded.values())
