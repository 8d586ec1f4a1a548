"""`python -m tools.k8s.apiserver`: a real Kubernetes API server on loopback, every CRD installed, until Ctrl-C.

etcd and kube-apiserver (built by `make setup` into .tools/bin) run in a scratch directory, with one token of
`system:masters` and AlwaysAllow; `kubectl` (Debian's) talks to it. No controllers or nodes run: objects are stored
and validated (schemas, CRDs, admission), never acted on. That is what checking manifests needs: `kubectl apply
--server-side --dry-run=server` sees exactly what a cluster would (tests/k8s/test_apiserver.py).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.runtime.config import ROOT
from tools.k8s import crds

TOOLS = ROOT / ".tools" / "bin"
ETCD = TOOLS / "etcd"
KUBE_APISERVER = TOOLS / "kube-apiserver"
ISTIOCTL = TOOLS / "istioctl"
READY_TIMEOUT = 90.0  # seconds; it is ready in about 2 s, far longer on two busy cores


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        raise FileNotFoundError("kubectl is missing: run `make setup` (Debian's kubectl)")
    return found


@dataclass
class ApiServer:
    """`with ApiServer(directory) as server:` etcd and kube-apiserver run until the block ends."""

    directory: Path
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    started_in: float = 0.0  # seconds from launch to /readyz answering ok
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    def __enter__(self) -> ApiServer:
        for binary in (ETCD, KUBE_APISERVER):
            if not binary.exists():
                raise FileNotFoundError(f"{binary} is missing: run `make setup`")
        self.directory.mkdir(parents=True, exist_ok=True)
        begun = time.monotonic()
        try:
            etcd = self._etcd()
            self._apiserver(etcd)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - begun
        self._write_kubeconfig()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _launch(self, name: str, argv: list[str]) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        self._processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _etcd(self) -> str:
        client, peer = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        self._launch(
            "etcd",
            [
                str(ETCD),
                "--name=test",
                f"--data-dir={self.directory / 'etcd'}",
                f"--listen-client-urls={client}",
                f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=test={peer}",
                "--unsafe-no-fsync",  # a throwaway store: nothing to keep across a crash
                "--log-level=warn",
            ],
        )
        return client

    def _apiserver(self, etcd: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (self.directory / "sa.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (self.directory / "sa.pub").write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        (self.directory / "tokens.csv").write_text(f'{self.token},admin,admin,"system:masters"\n')
        self.port = free_port()
        self._launch(
            "kube-apiserver",
            [
                str(KUBE_APISERVER),
                f"--etcd-servers={etcd}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.port}",
                f"--cert-dir={self.directory / 'pki'}",  # a self-signed serving certificate is made there
                f"--token-auth-file={self.directory / 'tokens.csv'}",
                "--authorization-mode=AlwaysAllow",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={self.directory / 'sa.pub'}",
                f"--service-account-signing-key-file={self.directory / 'sa.key'}",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--profiling=false",
            ],
        )

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.directory / "pki" / "apiserver.crt"))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        request = urllib.request.Request(f"{self.url}/readyz", headers={"Authorization": f"Bearer {self.token}"})
        last = "no answer"
        while time.monotonic() < deadline:
            for process in self._processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args!r} exited {process.returncode}: see {self.directory}/*.log")
            try:
                with urllib.request.urlopen(request, timeout=5, context=self._context()) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError, ssl.SSLError) as error:
                last = str(error)
            time.sleep(0.1)
        raise TimeoutError(f"kube-apiserver not ready in {READY_TIMEOUT} s ({last}): see {self.directory}/*.log")

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "test",
                    "cluster": {
                        "server": self.url,
                        "certificate-authority": str(self.directory / "pki" / "apiserver.crt"),
                    },
                }
            ],
            "users": [{"name": "admin", "user": {"token": self.token}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
            "current-context": "test",
        }
        self.kubeconfig.write_text(yaml.safe_dump(config))

    def kubectl(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """kubectl against this server (its own discovery cache: nothing is written under ~/.kube)."""
        return subprocess.run(
            [kubectl(), f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.directory / 'kube-cache'}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            env=os.environ | {"KUBECONFIG": str(self.kubeconfig)},
        )

    def install_crds(self) -> None:
        """Every CRD of tools/k8s/crds.py, applied for real and established: upstream bundles as they are, the
        written and wrapped ones from memory."""
        bundles = [f"--filename={path}" for path in crds.bundles()]
        steps = [
            (["apply", "--server-side", *bundles, "--filename=-"], dump(crds.local())),
            (["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"], None),
        ]
        for args, stdin in steps:
            result = self.kubectl(*args, stdin=stdin)
            if result.returncode != 0:
                raise RuntimeError(f"kubectl {args[0]} of the CRDs: {result.stderr}")

    def memory_mb(self) -> float:
        """kube-apiserver's resident memory now (MB)."""
        status = Path(f"/proc/{self._processes[-1].pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self._processes.clear()
        shutil.rmtree(self.directory / "etcd", ignore_errors=True)  # 75 MB of preallocated log; the logs stay


def dump(resources: list[dict[str, Any]]) -> str:
    return yaml.dump_all(resources, Dumper=yaml.CSafeDumper, sort_keys=False)


def main() -> int:
    """`python -m tools.k8s.apiserver`: a server with every CRD installed for manual checks, until Ctrl-C."""
    with tempfile.TemporaryDirectory() as scratch, ApiServer(Path(scratch)) as server:
        print(f"kube-apiserver {server.url} ready in {server.started_in:.1f} s, {server.memory_mb():.0f} MB")
        begun = time.monotonic()
        server.install_crds()
        print(f"{len(crds.every())} CRDs installed in {time.monotonic() - begun:.1f} s, {server.memory_mb():.0f} MB")
        print(f"export KUBECONFIG={server.kubeconfig}  # until Ctrl-C", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
