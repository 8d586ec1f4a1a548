"""VictoriaLogs: the local log store, fed by rsyslog (tools/mesh/rsyslog.py) and searched with LogsQL.

The binary is built from its Go module by `make setup` (cached by version outside the clone, linked as
.tools/bin/victoria-logs). Data lives under var/victorialogs/data, kept `retention_days` and never more than
`max_disk_mb` (the oldest days go first); memory is capped at `max_memory_mb`. Services never talk to it: they
write to stdout, supervisord writes var/log/<program>.log, rsyslog ships the lines to its Elasticsearch `_bulk`
endpoint. Query at /select/logsql/query, look at /select/vmui/.
"""

from __future__ import annotations

from services.runtime.config import ROOT
from tools.mesh import http_probe
from tools.mesh.component import Component, MeshError, MetricsTarget, Program

BINARY = ROOT / ".tools" / "bin" / "victoria-logs"
MB = 1024 * 1024


class VictoriaLogs(Component):
    name = "victorialogs"
    start_timeout = 30.0

    def program(self) -> Program:
        if not BINARY.exists():
            raise MeshError(f"{BINARY} is missing: run `make setup` (it builds VictoriaLogs)")
        v = self.settings.victorialogs
        return Program(
            command=[
                str(BINARY),
                f"-httpListenAddr={v.host}:{v.port}",
                f"-storageDataPath={self.state_dir / 'data'}",
                f"-retentionPeriod={v.retention_days}d",
                f"-retention.maxDiskSpaceUsageBytes={v.max_disk_mb * MB}",
                f"-memory.allowedBytes={v.max_memory_mb * MB}",
                # Its own lines are shipped too: warnings and errors only, as JSON.
                "-loggerLevel=WARN",
                "-loggerFormat=json",
            ],
            stopwaitsecs=10,
            # supervisord stops higher priorities first: the store last, after the shipper sent the last lines.
            priority=5,
        )

    def prepare(self) -> None:
        (self.state_dir / "data").mkdir(parents=True, exist_ok=True)

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.victorialogs.port)]

    async def ready(self) -> bool:
        """/health answers 200 once the storage is open and the HTTP API serves."""
        return await http_probe.answers(f"{self.settings.victorialogs.url}/health")
