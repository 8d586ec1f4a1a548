"""The batch jobs in the cluster: one Spark operator SparkApplication per job (jobs/app/definitions.py).

The same code as `make jobs`: the services' image runs `jobs/__main__.py <job>` as the Spark driver, with the
jars of jobs/jars.sha256 baked into the image (k8s/image/Containerfile). The master is the operator's
(`[jobs] master` empty), the catalog is the lake's database (CloudNativePG `lake-db`, its owner's credentials
from `lake-db-app`), the object store's endpoint comes from the ConfigMap and its keys from the lake's Secret.
Spark's pods stay out of the Istio mesh: they call no service, and the driver and executors talk to each other
on ports Spark picks. A NetworkPolicy lets them reach the lake's database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobs.adapters.spark_session import JAR_LIST
from jobs.app.definitions import NAMES
from services.runtime.config import Settings

Resource = dict[str, Any]

WORKLOAD = "spark-jobs"
SPARK_VERSION = "4.0.1"  # pyspark's, in the image
IMAGE = "fintech-mesh"  # the services' image; the overlays pin its tag (k8s/base/kustomizeconfig)
APP_DIR = "/app"
JAR_DIR = "/opt/spark-jobs/jars"  # where the image holds jobs/jars.sha256's jars
LAKE = "lake"
OBJECT_STORE_SECRET = "object-store-credentials"  # the lake's (tools/k8s/manifests.py): access-key, secret-key
POSTGRES_PORT = 5432


def _env_name(*parts: str) -> str:
    return "FINTECH_" + "__".join(part.upper() for part in parts)


def _secret(name: str, secret: str, key: str) -> Resource:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _pod(cores: int, memory: str) -> Resource:
    """What the driver and the executors share: identity, settings, hardening."""
    return {
        "cores": cores,
        "memory": memory,
        "serviceAccount": WORKLOAD,
        "labels": {"app": WORKLOAD, "version": "v1"},
        "annotations": {"sidecar.istio.io/inject": "false"},
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}],
        "env": [
            {"name": "PYTHONPATH", "value": APP_DIR},
            {"name": _env_name("jobs", "master"), "value": ""},
            {"name": _env_name("jobs", "jar_dir"), "value": JAR_DIR},
            {"name": _env_name("postgres", "host"), "value": f"{LAKE}-db-rw"},
            _secret(_env_name("postgres", "user"), f"{LAKE}-db-app", "username"),
            _secret(_env_name("postgres", "password"), f"{LAKE}-db-app", "password"),
            _secret(_env_name("object_store", "access_key"), OBJECT_STORE_SECRET, "access-key"),
            _secret(_env_name("object_store", "secret_key"), OBJECT_STORE_SECRET, "secret-key"),
        ],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "capabilities": {"drop": ["ALL"]},
        },
    }


def spark_application(job: str, metadata: Callable[[str, str], Resource]) -> Resource:
    jars = [line.split()[1] for line in JAR_LIST.read_text().splitlines() if line.strip()]
    return {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "metadata": metadata(f"job-{job.replace('_', '-')}", WORKLOAD),
        "spec": {
            "type": "Python",
            "pythonVersion": "3",
            "mode": "cluster",
            "image": IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "mainApplicationFile": f"local://{APP_DIR}/jobs/__main__.py",
            "arguments": [job],
            "sparkVersion": SPARK_VERSION,
            # Local jars only: nothing is resolved from Maven at run time.
            "deps": {"jars": [f"local://{JAR_DIR}/{name}" for name in jars]},
            "sparkConf": {"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"},
            "restartPolicy": {"type": "OnFailure", "onFailureRetries": 2, "onFailureRetryInterval": 60},
            # A result is replaced per run: a finished application is cleaned up after a day.
            "timeToLiveSeconds": 86_400,
            "driver": _pod(1, "768m"),
            "executor": _pod(1, "768m") | {"instances": 1},
        },
    }


def spark_job_resources(
    settings: Settings,
    metadata: Callable[[str, str], Resource],
    service_account: Callable[[str], Resource],
) -> list[Resource]:
    # The driver creates and deletes its executor pods (and their service and config map).
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata(WORKLOAD, WORKLOAD),
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["pods", "services", "configmaps", "persistentvolumeclaims"],
                "verbs": ["create", "get", "list", "watch", "delete", "deletecollection", "patch"],
            }
        ],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata(WORKLOAD, WORKLOAD),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": WORKLOAD},
        "subjects": [{"kind": "ServiceAccount", "name": WORKLOAD, "namespace": settings.mesh.namespace}],
    }
    account = service_account(WORKLOAD)
    account["automountServiceAccountToken"] = True  # the driver calls the Kubernetes API for its executors
    database_access = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(f"{LAKE}-db-{WORKLOAD}", WORKLOAD),
        "spec": {
            "podSelector": {"matchLabels": {"cnpg.io/cluster": f"{LAKE}-db"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": WORKLOAD}}}],
                    "ports": [{"protocol": "TCP", "port": POSTGRES_PORT}],
                }
            ],
        },
    }
    return [account, role, binding, database_access, *(spark_application(job, metadata) for job in NAMES)]
