"""The services' image: every entry point the pods run starts inside it, as a non-root user, on Debian's
Python 3.11, with no compiler on board and Spark's checked jars.

The entry points come from the generated manifests (k8s/base/generated/): every container that runs the
`fintech-mesh` image, and the SparkApplications. A new one that this file does not know how to start fails
`test_every_entry_point_is_covered` instead of going untested.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.runtime.config import ROOT
from tests.image.conftest import Container
from tools.image import build
from tools.k8s.manifests import IMAGE

pytestmark = pytest.mark.image

GENERATED = ROOT / "k8s" / "base" / "generated"


def manifests() -> list[dict[str, Any]]:
    return [doc for path in sorted(GENERATED.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def config_map() -> dict[str, str]:
    """The settings every pod gets from the ConfigMap `fintech-config`."""
    (data,) = [
        doc["data"] for doc in manifests() if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "fintech-config"
    ]
    return dict(data)


def entry_points() -> dict[str, dict[str, Any]]:
    """`<workload>/<container>` -> the container of every pod template that runs the services' image."""
    found: dict[str, dict[str, Any]] = {}
    for doc in manifests():
        if doc["kind"] in ("Deployment", "StatefulSet", "Rollout"):
            spec = doc["spec"]["template"]["spec"]
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                if container["image"] == IMAGE:
                    found[f"{doc['metadata']['name']}/{container['name']}"] = container
    return found


def pod_env(container: dict[str, Any]) -> dict[str, str]:
    """The pod's environment: the ConfigMap, the container's values, a stand-in for each Secret; state in /tmp
    (the pods mount a volume there)."""
    env = config_map()
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "smoke-test-secret")
    return env | {"FINTECH_MESH__STATE_DIR": "/tmp/fintech"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Serve in the background, poll a URL from inside the image until it answers 200, stop: a real start.
SERVES = """
"$@" > /tmp/serve.log 2>&1 & pid=$!
python - "$URL" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as answer:
            if answer.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("not ready in 60 s")
    time.sleep(0.2)
PY
status=$?; kill $pid; wait $pid 2>/dev/null; [ $status = 0 ] || cat /tmp/serve.log; exit $status
"""


def start(box: Container, key: str, container: dict[str, Any]) -> None:
    """Start one entry point as far as it goes without the cluster around it; fail with its output."""
    command: list[str] = container["command"]
    env = pod_env(container)
    match command:
        case ["python", "-m", module] if module.startswith("services."):
            # A dry start: import everything, parse the pod's settings, build the server (listening and the
            # database come next, in a cluster).
            code = (
                f"from services.runtime import grpc_env; grpc_env.configure(); from {module}.main import build; build()"
            )
            result = box.run("python", "-c", code, env=env)
        case ["python", "-m", "tools.edge.issuer"]:
            port = free_port()
            env |= {"FINTECH_MESH__HOST": "127.0.0.1", "FINTECH_EDGE__ISSUER_PORT": str(port)}
            url = f"http://127.0.0.1:{port}/healthz"
            result = box.run("sh", "-c", SERVES, "serve", *command, env=env | {"URL": url})
        case ["python", "-m", "tools.mesh", "triton", "--model-repository", repository]:
            # Triton from the model repository the init container copies, ready with every model loaded.
            ports = {name: free_port() for name in ("HTTP", "GRPC", "METRICS")}
            env |= {"FINTECH_TRITON__HOST": "127.0.0.1"} | {
                f"FINTECH_TRITON__{k}_PORT": str(v) for k, v in ports.items()
            }
            copy = box.run("cp", "-R", "/app/models/.", "/tmp/models/")
            assert copy.returncode == 0, copy.stderr
            argv = [*command[:-1], "/tmp/models"]
            url = f"http://127.0.0.1:{ports['HTTP']}/v2/health/ready"
            result = box.run("sh", "-c", SERVES, "serve", *argv, env=env | {"URL": url}, timeout=180)
            assert repository == "/models"
        case ["python", "-m", module, *_]:
            result = box.run("python", "-m", module, "--help", env=env)
        case ["cp", "-R", source, _]:
            result = box.run("cp", "-R", source, "/tmp/copy-check/")
        case _:
            pytest.fail(f"{key}: no way to start {command} in the image; teach test_image.start")
    assert result.returncode == 0, f"{key}: {command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("key", sorted(entry_points()))
def test_every_entry_point_starts(container: Container, key: str) -> None:
    start(container, key, entry_points()[key])


def test_spark_jobs_start(container: Container) -> None:
    """The SparkApplications' driver: the entry point passes `python -m jobs` through, spark-submit runs on
    Debian's Java 17 (its hostname must resolve, as it does in a pod), and the jobs' jars are the checked ones."""
    jobs = [doc for doc in manifests() if doc["kind"] == "SparkApplication"]
    assert jobs
    names = {doc["spec"]["arguments"][0] for doc in jobs}
    assert {doc["spec"]["mainApplicationFile"] for doc in jobs} == {"local:///app/jobs/__main__.py"}
    help = container.run("/app/k8s/image/spark-entrypoint.sh", "python", "-m", "jobs", "--help")
    assert help.returncode == 0, help.stderr
    code = (
        "from jobs.__main__ import policy_of; from jobs.app.definitions import definitions;"
        "from services.runtime.config import get_settings; print(*definitions(policy_of(get_settings())))"
    )
    listed = container.run("python", "-c", code, env=pod_env({}))
    assert listed.returncode == 0, listed.stderr
    assert names <= set(listed.stdout.split()), listed.stdout
    version = container.run(
        "sh", "-c", '"$SPARK_HOME/bin/spark-submit" --version', env={"SPARK_LOCAL_HOSTNAME": "localhost"}
    )
    assert version.returncode == 0, version.stderr
    assert "version 4.0.1" in version.stderr and "17." in version.stderr, version.stderr
    jars = container.run("sh", "-c", "cd /opt/spark-jobs/jars && sha256sum --check --strict /app/jobs/jars.sha256")
    assert jars.returncode == 0, jars.stdout + jars.stderr
    assert len(container.run("ls", "/opt/spark-jobs/jars").stdout.split()) == len(
        (ROOT / "jobs" / "jars.sha256").read_text().splitlines()
    )


def test_every_entry_point_is_covered() -> None:
    """The manifests' entry points are the ones this file starts (a new workload needs a way to start here)."""
    kinds = {
        tuple(c["command"][:3]) if c["command"][0] == "python" else (c["command"][0],) for c in entry_points().values()
    }
    modules = {kind[2] for kind in kinds if kind[0] == "python"}
    assert {m for m in modules if m.startswith("services.")} >= {"services.payments", "services.customer"}
    assert modules - {m for m in modules if m.startswith("services.")} == {
        "tools.edge.issuer",
        "tools.k8s.edge",
        "tools.mesh",
    }
    assert kinds - {k for k in kinds if k[0] == "python"} == {("cp",)}


def test_runs_as_non_root(image: build.Built, container: Container) -> None:
    assert build.inspect(image.id, "{{.Config.User}}") == "10001"
    user = container.run("id", "-u")
    assert user.stdout.strip() == "10001", user.stdout + user.stderr


def test_no_compiler(container: Container) -> None:
    """The venv was built in a builder stage; nothing in the final image compiles C."""
    found = container.run(
        "sh", "-c", "for c in cc gcc g++ c++ clang tcc x86_64-linux-gnu-gcc-12; do command -v $c; done"
    )
    assert found.stdout == ""
    packages = container.run("dpkg-query", "-W", "-f", "${Package}\\n").stdout.split()
    assert [p for p in packages if re.fullmatch(r"(gcc|g\+\+|cpp|clang|tcc|build-essential)(-\d+)?", p)] == []


def test_python_is_debians_3_11(container: Container) -> None:
    interpreter = container.run(
        "python", "-c", "import os, sys; print(os.path.realpath(sys.executable), *sys.version_info[:2])"
    )
    assert interpreter.stdout.split() == ["/usr/bin/python3.11", "3", "11"], interpreter.stderr
    owner = container.run("dpkg-query", "-S", "/usr/bin/python3.11")
    assert owner.stdout.startswith("python3.11-minimal:"), owner.stdout + owner.stderr


def test_image_is_reused_for_an_unchanged_tree(image: build.Built) -> None:
    again = build.build()
    assert (again.id, again.seconds) == (image.id, 0.0)
    assert build.inspect(image.id, f'{{{{index .Labels "{build.LABEL}"}}}}') == again.inputs


def test_record_names_the_image(image: build.Built, container: Container) -> None:
    assert Path(build.RECORD).exists()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", image.digest)
    # The commit the jobs record as their code version (governance.job_runs) is the one built.
    version = container.run("printenv", "FINTECH_JOBS__CODE_VERSION")
    assert version.stdout.strip() == build.code_version(), version.stderr
