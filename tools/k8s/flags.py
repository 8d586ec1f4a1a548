"""Feature flags in a cluster (OpenFeature Operator, core.openfeature.dev/v1beta1), from the same flag file the
local mesh reads (flags/flags.flagd.json): one source.

- `FeatureFlag` fintech-flags: the file's flags (and `$evaluators`), as the operator serves them;
- `FeatureFlagSource` fintech-flags: the flagd sidecar the operator injects into every pod annotated
  `openfeature.dev/enabled` with `openfeature.dev/featureflagsource: fintech-flags`, reading the FeatureFlag
  (provider `kubernetes`) and streaming it on its sync port;
- for each service that evaluates flags (FLAG_CLIENTS): those annotations and the settings that point its
  provider at the sidecar (`[flags] provider = "in-process"`, localhost, the sync port): the flags are still
  evaluated in the service's process, and a FeatureFlag edit reaches it without a restart.
"""

from __future__ import annotations

import json
from typing import Any

from services.runtime.config import ROOT, Settings

Resource = dict[str, Any]
NAME = "fintech-flags"
FLAG_FILE = ROOT / "flags" / "flags.flagd.json"
# Services that read flags (services/runtime/flags.py): risk (the challenger fraud model's share), payments (the
# webhook kill switch, the wearable channel's rollout).
FLAG_CLIENTS = ("risk", "payments")
SYNC_PORT = 8015  # flagd's gRPC sync service, which the in-process provider streams from
POD_ANNOTATIONS = {"openfeature.dev/enabled": "true", "openfeature.dev/featureflagsource": NAME}


def flag_spec() -> dict[str, Any]:
    """The flag file's flags (and shared evaluators) without its `$schema`."""
    document: dict[str, Any] = json.loads(FLAG_FILE.read_text())
    return {key: value for key, value in document.items() if key in ("flags", "$evaluators")}


def flag_resources(settings: Settings) -> list[Resource]:
    namespace = settings.mesh.namespace
    labels = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "fintech-mesh"}
    return [
        {
            "apiVersion": "core.openfeature.dev/v1beta1",
            "kind": "FeatureFlag",
            "metadata": {"name": NAME, "labels": labels},
            "spec": {"flagSpec": flag_spec()},
        },
        {
            "apiVersion": "core.openfeature.dev/v1beta1",
            "kind": "FeatureFlagSource",
            "metadata": {"name": NAME, "labels": labels},
            "spec": {
                "sources": [{"source": f"{namespace}/{NAME}", "provider": "kubernetes"}],
                "envVars": [{"name": "SYNC_PORT", "value": str(SYNC_PORT)}],  # FLAGD_SYNC_PORT
                "probesEnabled": True,
            },
        },
    ]


def flag_client_env(env_name: Any) -> list[Resource]:
    """A flag client's settings in a cluster: its flags from the injected sidecar."""
    return [
        {"name": env_name("flags", "provider"), "value": "in-process"},
        {"name": env_name("flags", "host"), "value": "localhost"},
        {"name": env_name("flags", "port"), "value": str(SYNC_PORT)},
    ]
