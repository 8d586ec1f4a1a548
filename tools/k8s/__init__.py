"""Kubernetes resources derived from what the project already knows (`python -m tools.k8s`).

Ports and names come from mesh.toml, topics from the launcher's topic list, each service's allowed
callers from the AuthorizationPolicies in istio/ and the edge's Envoy configuration from tools/edge, so
k8s/base/generated/ never drifts from them; `--check` (run by the tests) fails when it would change.
"""
