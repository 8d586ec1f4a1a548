"""NVIDIA Triton Inference Server: the `tritonserver` binary and Python backend shipped in nvidia-pytriton.

The wheel's backend needs a stub built for our Python next to `libtriton_python.so`, the venv's bin
first on PATH (the stub finds the venv's interpreter and packages through it) and the wheel's own
libraries plus the interpreter's libpython on LD_LIBRARY_PATH; otherwise a model's stub loads another
libpython or none, and the server hangs while loading it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import sysconfig
from pathlib import Path

import tritonclient.grpc as triton_grpc
from tritonclient.utils import InferenceServerException

from services.runtime.config import ROOT, Settings, get_settings
from tools.mesh.component import Component, MeshError, MetricsTarget, Program, package_dir

_PYTRITON = package_dir("pytriton")  # importing it takes 0.6 s and warns about XDG_RUNTIME_DIR
WHEEL = _PYTRITON / "tritonserver"
WHEEL_LIBS = _PYTRITON.parent / "nvidia_pytriton.libs"
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
MODELS = ROOT / "models"
PROBE_TIMEOUT = 2.0


class Triton(Component):
    name = "triton"
    start_timeout = 120.0  # models load at start; a Python model with onnxruntime takes seconds

    def __init__(self, settings: Settings, model_repository: Path = MODELS) -> None:
        super().__init__(settings)
        self.model_repository = model_repository

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.triton.metrics_port)]

    @property
    def backends_dir(self) -> Path:
        return self.state_dir / "backends"

    def program(self) -> Program:
        triton, host = self.settings.triton, self.settings.triton.host
        venv_bin = str(Path(sys.executable).parent)
        return Program(
            command=[
                str(WHEEL / "bin" / "tritonserver"),
                f"--model-repository={self.model_repository}",
                f"--backend-directory={self.backends_dir}",
                # Every model in the repository is loaded at start; changing one needs a restart.
                "--model-control-mode=none",
                # A broken model leaves the server up (and not ready) instead of crash-looping.
                "--exit-on-error=false",
                "--strict-readiness=true",
                *(f"--http-address={host}", f"--grpc-address={host}", f"--metrics-address={host}"),
                f"--http-port={triton.http_port}",
                f"--grpc-port={triton.grpc_port}",
                f"--metrics-port={triton.metrics_port}",
                "--allow-gpu-metrics=false",
                "--exit-timeout-secs=5",
                *trace_options(self.settings),
            ],
            environment={
                "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "/usr/bin:/bin")]),
                "LD_LIBRARY_PATH": os.pathsep.join([str(WHEEL_LIBS), sysconfig.get_config_var("LIBDIR")]),
            },
            directory=self.state_dir,
            priority=30,
        )

    def prepare(self) -> None:
        stub = WHEEL / "python_backend_stubs" / PYTHON_VERSION / "triton_python_backend_stub"
        if not stub.exists():
            raise MeshError(f"nvidia-pytriton has no Python backend stub for Python {PYTHON_VERSION}")
        if not self.model_repository.is_dir():
            raise MeshError(f"no model repository at {self.model_repository}")
        python_backend = self.backends_dir / "python"
        python_backend.mkdir(parents=True, exist_ok=True)
        # Files only: a venv installed with compiled bytecode (the image's) has a __pycache__ directory there.
        backend_files = [path for path in (WHEEL / "backends" / "python").iterdir() if path.is_file()]
        for source in [*backend_files, stub]:
            target = python_backend / source.name
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                shutil.copy2(source, target)

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._ready)

    def _ready(self) -> bool:
        """The server is ready and so is every model of the repository (polled, not just the port)."""
        triton = self.settings.triton
        client = triton_grpc.InferenceServerClient(f"{triton.host}:{triton.grpc_port}")
        try:
            if not client.is_server_ready(client_timeout=PROBE_TIMEOUT):
                return False
            index = client.get_model_repository_index(client_timeout=PROBE_TIMEOUT)
            return all(model.state == "READY" for model in index.models) and self._all_listed(index)
        except InferenceServerException:
            return False
        finally:
            client.close()

    def _all_listed(self, index: object) -> bool:
        # A model directory Triton did not even list (a bad config.pbtxt, say) is not ready either.
        listed = {model.name for model in index.models}  # type: ignore[attr-defined]
        wanted = {path.name for path in self.model_repository.iterdir() if (path / "config.pbtxt").exists()}
        return wanted <= listed


def trace_options(settings: Settings) -> list[str]:
    """Triton's own spans (OpenTelemetry mode, OTLP/HTTP to [jaeger]): one per inference request, a child
    of the caller's span (ml sends its traceparent as request metadata). Triton samples one request in
    `rate`, which [tracing] sample_ratio sets; it cannot follow the caller's sampling decision."""
    tracing, jaeger = settings.tracing, settings.jaeger
    if tracing.endpoint(jaeger) is None or tracing.sample_ratio == 0:
        return []
    return [
        "--trace-config=mode=opentelemetry",
        "--trace-config=level=TIMESTAMPS",
        f"--trace-config=rate={max(1, round(1 / tracing.sample_ratio))}",
        f"--trace-config=opentelemetry,url={jaeger.host}:{jaeger.otlp_http_port}/v1/traces",
        "--trace-config=opentelemetry,resource=service.name=triton",
        f"--trace-config=opentelemetry,bsp_schedule_delay={int(tracing.schedule_delay_seconds * 1000)}",
    ]


def run_in_foreground(model_repository: Path = MODELS, settings: Settings | None = None) -> None:
    """Replace this process with Triton, prepared as the mesh prepares it (the cluster's entry point)."""
    triton = Triton(settings or get_settings(), model_repository)
    triton.state_dir.mkdir(parents=True, exist_ok=True)
    triton.prepare()
    program = triton.program()
    os.chdir(program.directory)
    # exec: Triton becomes the container's main process and gets its signals directly.
    os.execve(program.command[0], program.command, {**os.environ, **program.environment})
