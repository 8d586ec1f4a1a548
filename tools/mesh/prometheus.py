"""Prometheus 2 (Debian's `prometheus`): scrapes every component's metrics and evaluates the rules.

The scrape configuration comes from the components themselves (Component.metrics_targets()): job = the
name the Kubernetes ServiceMonitor gives, plus the `namespace` label that a cluster's Prometheus adds, so
the rules (tools/observability/rules.py, the same ones k8s/ deploys) select the same series here.
Data under var/prometheus, kept 2 days or 256 MB, whichever comes first (mesh.toml [prometheus]).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from services.runtime.config import Settings
from tools.mesh.component import Component, MeshError, MetricsTarget, Program
from tools.mesh.http_probe import answers
from tools.observability.rules import rule_groups

HEADER = "# Written by tools/mesh/prometheus.py from mesh.toml and tools/observability/rules.py; do not edit.\n"


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MeshError(f"{name} is not installed: run `make setup` (Debian's monitoring packages)")
    return path


def rules_file(namespace: str) -> str:
    """The local rules file: the groups Kubernetes' PrometheusRule holds, in Prometheus's own format."""
    return HEADER + yaml.safe_dump({"groups": rule_groups(namespace)}, sort_keys=False, width=120)


def scrape_config(settings: Settings, targets: list[MetricsTarget], rules: Path) -> dict[str, Any]:
    """prometheus.yml: one job per target job name, each series labelled with the mesh's namespace."""
    p, alertmanager = settings.prometheus, settings.alertmanager
    jobs: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        jobs.setdefault((target.job, target.path), []).append(target.address)
    labels = {"namespace": settings.mesh.namespace}
    return {
        "global": {
            "scrape_interval": f"{p.scrape_interval_seconds}s",
            "scrape_timeout": f"{min(p.scrape_interval_seconds, 10)}s",
            "evaluation_interval": f"{p.evaluation_interval_seconds}s",
        },
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"{alertmanager.host}:{alertmanager.port}"]}]}]
        },
        "rule_files": [str(rules)],
        "scrape_configs": [
            {"job_name": job, "metrics_path": path, "static_configs": [{"targets": addresses, "labels": labels}]}
            for (job, path), addresses in jobs.items()
        ],
    }


class Prometheus(Component):
    name = "prometheus"
    depends = ("alertmanager",)
    start_timeout = 30.0
    # The TSDB survives a restart (its write-ahead log): a changed scrape list or rule restarts it on up().
    restart_when_stale = True

    def __init__(self, settings: Settings, components: Mapping[str, Component]) -> None:
        super().__init__(settings)
        # The mesh's components, read when the configuration is written: those added later count too.
        self.components = components

    @property
    def config_path(self) -> Path:
        return self.state_dir / "prometheus.yml"

    @property
    def rules_path(self) -> Path:
        return self.state_dir / "rules.yml"

    @property
    def url(self) -> str:
        return f"http://{self.settings.prometheus.host}:{self.settings.prometheus.port}"

    def program(self) -> Program:
        p = self.settings.prometheus
        return Program(
            command=[
                binary("prometheus"),
                f"--config.file={self.config_path}",
                f"--storage.tsdb.path={self.state_dir / 'data'}",
                f"--storage.tsdb.retention.time={p.retention}",
                f"--storage.tsdb.retention.size={p.retention_size}",
                f"--web.listen-address={p.host}:{p.port}",
                "--web.enable-lifecycle",
            ],
            priority=300,
            inputs=(self.config_path, self.rules_path),
        )

    def targets(self) -> list[MetricsTarget]:
        return [target for component in self.components.values() for target in component.metrics_targets()]

    def prepare(self) -> None:
        (self.state_dir / "data").mkdir(parents=True, exist_ok=True)
        self.rules_path.write_text(rules_file(self.settings.mesh.namespace))
        config = scrape_config(self.settings, self.targets(), self.rules_path)
        self.config_path.write_text(HEADER + yaml.safe_dump(config, sort_keys=False, width=120))

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.prometheus.port)]

    async def ready(self) -> bool:
        return await answers(f"{self.url}/-/ready")
