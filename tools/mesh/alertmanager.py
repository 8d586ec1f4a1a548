"""Alertmanager (Debian's `prometheus-alertmanager`): receives what the local Prometheus fires.

Locally one receiver that only holds the alerts (its API and UI show them; no network leaves the machine).
A bank routes by the rules' labels instead: severity=critical to the on-call pager (PagerDuty/Opsgenie),
category=security to the SOC's SIEM webhook, warnings to the team's chat; see README "Observability".
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.mesh.component import Component, MetricsTarget, Program
from tools.mesh.http_probe import answers
from tools.mesh.prometheus import HEADER, binary

RECEIVER = "hold"


def config() -> dict[str, object]:
    return {
        "route": {
            "receiver": RECEIVER,
            "group_by": ["alertname", "job"],
            "group_wait": "10s",
            "group_interval": "1m",
            "repeat_interval": "4h",
        },
        "receivers": [{"name": RECEIVER}],
    }


class Alertmanager(Component):
    name = "alertmanager"
    start_timeout = 30.0
    # Silences and notification state live in var/alertmanager; its configuration is read at start.
    restart_when_stale = True

    @property
    def config_path(self) -> Path:
        return self.state_dir / "alertmanager.yml"

    @property
    def url(self) -> str:
        return f"http://{self.settings.alertmanager.host}:{self.settings.alertmanager.port}"

    def program(self) -> Program:
        a = self.settings.alertmanager
        return Program(
            command=[
                binary("prometheus-alertmanager"),
                f"--config.file={self.config_path}",
                f"--storage.path={self.state_dir / 'data'}",
                f"--data.retention={a.retention}",
                f"--web.listen-address={a.host}:{a.port}",
                # One instance: no gossip port (it would take 9094 on every interface).
                "--cluster.listen-address=",
            ],
            priority=290,
            inputs=(self.config_path,),
        )

    def prepare(self) -> None:
        (self.state_dir / "data").mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(HEADER + yaml.safe_dump(config(), sort_keys=False))

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.alertmanager.port)]

    async def ready(self) -> bool:
        return await answers(f"{self.url}/-/ready")
