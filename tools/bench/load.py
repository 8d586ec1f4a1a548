"""The load generators and what a run costs: ghz over mTLS, wrk through the Envoy edge, CPU per component.

ghz (`.tools/bin/ghz`, `make setup`) calls a service straight over mTLS with a workload's dev certificate;
`rps` makes it open loop (a fixed arrival rate: latency at a given load), without it it is closed loop
(`concurrency` callers back to back: the ceiling). wrk (Debian) drives the REST edge with a Lua script
that rotates valid tokens of many clients (the edge's rate limit is per client) and gives each request
a unique idempotency key. CPU per request is read from /proc for every supervisord-managed process
and its children, before and after a run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2

from services.runtime.config import ROOT, Settings
from services.runtime.tls import certs_dir
from tools.edge.mint import mint
from tools.mesh.supervisor import Supervisor

GHZ = ROOT / ".tools" / "bin" / "ghz"
PROTOSET = ROOT / "gen" / "descriptors" / "fintech.binpb"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WRK_THREADS = 2  # one per core of the benchmark machine


@dataclass
class Measurement:
    """One run of one scenario."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "requests_per_s": self.requests_per_s, "error_rate": self.error_rate}


# -- CPU ------------------------------------------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used so far by it and its reaped children, user + system)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
        # utime + stime, plus cutime + cstime: children that exited (and were reaped) still count
        table[int(entry.name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]) / CLOCK_TICKS)
    return table


def cpu_by_component(supervisor: Supervisor) -> dict[str, float]:
    """CPU seconds used so far by each running mesh component, its child processes included."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid: int) -> float:
        return table.get(pid, (0, 0.0))[1] + sum(tree(child) for child in children.get(pid, ()))

    return {name: tree(info["pid"]) for name, info in supervisor.processes().items() if info.get("pid")}


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request by component (components that stayed idle left out)."""
    used = {name: after[name] - before.get(name, after[name]) for name in after}
    return {name: round(1000 * seconds / requests, 3) for name, seconds in used.items() if requests and seconds > 0}


# -- ghz ------------------------------------------------------------------------------------------------


def _health_protoset(directory: Path) -> Path:
    """grpc.health.v1 as a descriptor set (ghz needs the types; the fintech set does not hold them)."""
    files = descriptor_pb2.FileDescriptorSet()
    health_pb2.DESCRIPTOR.CopyToProto(files.file.add())
    path = directory / "health.binpb"
    path.write_bytes(files.SerializeToString())
    return path


def ghz(
    settings: Settings,
    service: str,
    call: str,
    data: dict[str, Any] | Sequence[dict[str, Any]],
    *,
    requests: int,
    concurrency: int,
    rps: int | None = None,
    workload: str = "cli",
    token: str | None = None,
) -> Measurement:
    """`requests` calls of `call` on `service`; `data` may use ghz templates ({{.UUID}}, {{.RequestNumber}}).
    With `token`, the calls are an end user's as the edge forwards them (see `as_edge`)."""
    certs = certs_dir(settings)
    metadata: dict[str, str] = {}
    if token:
        workload, metadata = EDGE_WORKLOAD, {FORWARDED_CLAIMS: forwarded_claims(token)}
    with tempfile.TemporaryDirectory() as scratch:
        protoset = _health_protoset(Path(scratch)) if call.startswith("grpc.health.") else PROTOSET
        command = [
            str(GHZ),
            *("--protoset", str(protoset), "--call", call, "--data", json.dumps(data)),
            *("--cacert", str(certs / "ca.pem")),
            *("--cert", str(certs / f"{workload}.pem"), "--key", str(certs / f"{workload}-key.pem")),
            *("--total", str(requests), "--concurrency", str(concurrency), "--connections", str(min(concurrency, 4))),
            *("--timeout", "10s", "--format", "json"),
            *(("--rps", str(rps)) if rps else ()),
            *(("--metadata", json.dumps(metadata)) if metadata else ()),
            settings.service(service).address,
        ]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if not completed.stdout.strip():
        raise RuntimeError(f"ghz failed: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    latency = {row["percentage"]: row["latency"] / 1e6 for row in report.get("latencyDistribution") or ()}
    statuses = report.get("statusCodeDistribution") or {}
    return Measurement(
        requests=report["count"],
        seconds=report["total"] / 1e9,
        p50_ms=latency.get(50, 0.0),
        p95_ms=latency.get(95, 0.0),
        p99_ms=latency.get(99, 0.0),
        errors=sum(count for status, count in statuses.items() if status != "OK"),
        statuses=statuses,
    )


# -- wrk ------------------------------------------------------------------------------------------------

# Each wrk thread runs its own Lua state: tokens rotate per request, and the idempotency key is
# <run>-<thread>-<counter>, so no two requests of a run share one.
WRK_SCRIPT = """
local tokens = {%(tokens)s}
local run = "%(run)s"
local method, path, bodies = "%(method)s", "%(path)s", {%(bodies)s}
local thread_counter = 0
local counter = 0
function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)  -- a global in that thread's own Lua state
end
function request()
  counter = counter + 1
  local key = run .. "-" .. thread_id .. "-" .. counter
  local headers = {
    ["Authorization"] = "Bearer " .. tokens[(counter * 7 + thread_id) %% #tokens + 1],
    ["Content-Type"] = "application/json",
  }
  local payload = nil
  if #bodies > 0 then payload = string.gsub(bodies[(counter * 7 + thread_id) %% #bodies + 1], "{{KEY}}", key) end
  return wrk.format(method, string.gsub(path, "{{KEY}}", key), headers, payload)
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "WRK-RESULT {\\"requests\\": %%d, \\"micros\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d, " ..
    "\\"connect\\": %%d, \\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, \\"timeout\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
"""


# A write needs an end user (the operator's `cli` certificate alone may only read), and only the edge may
# forward one: a direct call that writes goes as the edge does, with its workload certificate and the verified
# token's claims in x-jwt-payload (what Envoy's jwt_authn forwards).
EDGE_WORKLOAD = "edge-gateway"
FORWARDED_CLAIMS = "x-jwt-payload"


def forwarded_claims(token: str) -> str:
    """The token's payload segment (base64url JSON), as the edge forwards it once it has verified the token."""
    return token.split(".")[1]


def as_edge(token: str) -> tuple[tuple[str, str]]:
    """The metadata of a direct call made as the edge forwards `token`'s end user (with the edge's certificate)."""
    return ((FORWARDED_CLAIMS, forwarded_claims(token)),)


def edge_tokens(settings: Settings, count: int, role: str = "admin", **claims: str) -> list[str]:
    """Tokens of `count` distinct clients: a load is many clients, each under the edge's per-client limit."""
    run = uuid.uuid4().hex[:8]
    return [mint(settings, role, subject=f"bench-{run}-{n}", ttl=1800, **claims) for n in range(count)]


def wrk(
    settings: Settings,
    path: str,
    *,
    seconds: int,
    connections: int,
    tokens: list[str],
    method: str = "GET",
    bodies: Sequence[dict[str, Any]] = (),
) -> Measurement:
    """A closed-loop wrk run against the edge; "{{KEY}}" in `path` or a body becomes a unique key per request.

    Requests rotate over `bodies` (JSON) and `tokens`, as requests of many clients would."""
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk is not installed (make setup installs it with apt-get)")
    script = WRK_SCRIPT % {
        "tokens": ",".join(f'"{token}"' for token in tokens),
        "run": uuid.uuid4().hex[:12],
        "method": method,
        "path": path,
        "bodies": ",".join(json.dumps(json.dumps(body)) for body in bodies),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        url = f"http://127.0.0.1:{settings.envoy.rest_port}"
        command = [executable, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s"]
        completed = subprocess.run([*command, file.name, url], capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"WRK-RESULT (\{.*\})", completed.stdout)
    if found is None:
        raise RuntimeError(f"wrk failed: {completed.stdout.strip()} {completed.stderr.strip()}")
    result = json.loads(found.group(1))
    errors = sum(result[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Measurement(
        requests=result["requests"],
        seconds=result["micros"] / 1e6,
        p50_ms=result["p50"] / 1000,
        p95_ms=result["p95"] / 1000,
        p99_ms=result["p99"] / 1000,
        errors=errors,
        statuses={kind: result[kind] for kind in ("connect", "read", "write", "status", "timeout") if result[kind]},
    )
