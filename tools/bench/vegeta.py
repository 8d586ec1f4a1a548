"""An open-loop HTTP load: vegeta (`.tools/bin/vegeta`, a Go module pinned in the Makefile) at a fixed arrival rate.

vegeta starts each request on its schedule whether or not earlier ones have answered (it adds workers
when all are busy), so a slow mesh shows as latency, not as a lower arrival rate. Each request is its
own target (headers and body), so every request can carry its own token and idempotency key. Latency
is taken from the request's scheduled start, not from when vegeta got round to sending it: a generator
that falls behind must not hide the wait (coordinated omission). The generator's own CPU is read from
its rusage, apart from the mesh's.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.runtime.config import ROOT

VEGETA = ROOT / ".tools" / "bin" / "vegeta"
TIMEOUT_S = 10


@dataclass(frozen=True)
class Target:
    """One request: vegeta's JSON target format."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""

    def line(self) -> str:
        target = {"method": self.method, "url": self.url, "header": {k: [v] for k, v in self.headers.items()}}
        if self.body:
            target["body"] = base64.b64encode(self.body).decode()
        return json.dumps(target)


@dataclass(frozen=True)
class Hit:
    """One request's result: its place in the schedule, when it started and how it ended."""

    seq: int
    started_ns: int  # wall clock, when vegeta sent it
    latency_ns: int  # from sending to the answer (vegeta's own measure)
    status: int  # HTTP status, 0 when no answer (the error says why)
    error: str
    body: bytes


@dataclass(frozen=True)
class Attack:
    rate: int
    hits: list[Hit]
    generator_cpu_s: float  # vegeta's own user + system CPU

    @property
    def began_ns(self) -> int:
        """The schedule's origin: vegeta schedules request n at began + (n + 1) / rate."""
        first = min(self.hits, key=lambda hit: hit.seq)
        return first.started_ns - self.interval_ns * (first.seq + 1)

    @property
    def interval_ns(self) -> int:
        return 1_000_000_000 // self.rate

    def scheduled_ns(self, hit: Hit) -> int:
        return self.began_ns + self.interval_ns * (hit.seq + 1)

    def latencies_ms(self) -> list[float]:
        """Every request's latency from its scheduled start to its answer (what a client arriving then waits)."""
        began, interval = self.began_ns, self.interval_ns
        return sorted((hit.started_ns + hit.latency_ns - (began + interval * (hit.seq + 1))) / 1e6 for hit in self.hits)

    def start_lag_ms(self) -> list[float]:
        """How late each request left against its schedule: near 0 while the generator keeps up."""
        began, interval = self.began_ns, self.interval_ns
        return sorted(max(0.0, (hit.started_ns - (began + interval * (hit.seq + 1))) / 1e6) for hit in self.hits)

    @property
    def seconds(self) -> float:
        """From the schedule's origin to the last request's start."""
        return (max(hit.started_ns for hit in self.hits) - self.began_ns) / 1e9 if self.hits else 0.0


def percentile(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of an ascending list (0.0 for none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def attack(targets: Sequence[Target], rate: int, seconds: int) -> Attack:
    """`rate` requests per second for `seconds`, the n-th request being `targets[n]` (at least rate * seconds)."""
    if len(targets) < rate * seconds:
        raise ValueError(f"{len(targets)} targets for {rate * seconds} requests: a target would be sent twice")
    if not VEGETA.exists():
        raise RuntimeError(f"{VEGETA} is missing: make setup installs it")
    with tempfile.TemporaryDirectory() as scratch:
        targets_file, results_file = Path(scratch) / "targets.json", Path(scratch) / "results.bin"
        targets_file.write_text("\n".join(target.line() for target in targets) + "\n")
        command = [
            str(VEGETA), "attack", "-format", "json", "-targets", str(targets_file), "-output", str(results_file),
            "-rate", f"{rate}/1s", "-duration", f"{seconds}s", "-timeout", f"{TIMEOUT_S}s", "-redirects", "-1",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"vegeta attack failed ({process.returncode}): {stderr.strip()}")
        encoded = subprocess.run(
            [str(VEGETA), "encode", "--to", "csv", str(results_file)], capture_output=True, text=True, check=True
        ).stdout
    return Attack(rate=rate, hits=_hits(encoded), generator_cpu_s=usage.ru_utime + usage.ru_stime)


def _hits(encoded: str) -> list[Hit]:
    """vegeta's CSV results: timestamp ns, code, latency ns, bytes out, bytes in, error, body (base64), attack,
    seq, method, url, headers."""
    return [
        Hit(seq=int(row[8]), started_ns=int(row[0]), latency_ns=int(row[2]), status=int(row[1]), error=row[5],
            body=base64.b64decode(row[6]))
        for row in csv.reader(io.StringIO(encoded))
        if row
    ]  # fmt: skip
