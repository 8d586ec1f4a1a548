"""k8s/: every batch job is a SparkApplication running the same code as `make jobs`, with local jars only."""

from __future__ import annotations

from typing import Any

import pytest

from jobs.adapters.spark_session import JAR_LIST
from jobs.app.definitions import NAMES
from tests.k8s.conftest import OVERLAYS

Resources = list[dict[str, Any]]


def applications(resources: Resources) -> dict[str, dict[str, Any]]:
    return {r["spec"]["arguments"][0]: r for r in resources if r["kind"] == "SparkApplication"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_job_is_a_spark_application_of_the_services_image(rendered: dict[str, Resources], overlay: str):
    apps = applications(rendered[overlay])
    assert sorted(apps) == sorted(NAMES)
    services_image = {
        c["image"]
        for r in rendered[overlay]
        if r["kind"] == "Rollout" and r["metadata"]["name"] == "payments"
        for c in r["spec"]["template"]["spec"]["containers"]
    }
    for app in apps.values():
        spec = app["spec"]
        assert {spec["image"]} == services_image, "the jobs run the services' image, at the overlay's tag"
        assert spec["mainApplicationFile"] == "local:///app/jobs/__main__.py"
        assert spec["type"] == "Python" and spec["sparkVersion"] == "4.0.1"


def test_the_jobs_use_the_checked_jars_only_and_their_secrets(rendered: dict[str, Resources]):
    names = [line.split()[1] for line in JAR_LIST.read_text().splitlines()]
    for app in applications(rendered["dev"]).values():
        spec = app["spec"]
        assert [jar.rsplit("/", 1)[1] for jar in spec["deps"]["jars"]] == names
        assert all(jar.startswith("local://") for jar in spec["deps"]["jars"]), "nothing is fetched at run time"
        assert "packages" not in spec["deps"]
        for pod in (spec["driver"], spec["executor"]):
            env = {e["name"]: e for e in pod["env"]}
            assert env["FINTECH_JOBS__MASTER"]["value"] == "", "the operator's spark-submit sets the master"
            for secret in ("FINTECH_POSTGRES__PASSWORD", "FINTECH_OBJECT_STORE__SECRET_KEY"):
                assert "secretKeyRef" in env[secret]["valueFrom"], secret
            assert pod["serviceAccount"] == "spark-jobs"
