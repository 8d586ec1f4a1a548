"""The inference server (NVIDIA Triton) over tritonclient.grpc.aio: one channel per process.

Concurrent Predict calls each send their own request; Triton's dynamic batcher merges them into one
onnxruntime run.
"""

from __future__ import annotations

import asyncio

import numpy as np
import tritonclient.grpc.aio as triton
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import model_version_pb2 as mv
from tritonclient.utils import InferenceServerException

from services.ml.app.ports import ModelState
from services.ml.domain.serving import Rows, Scores
from services.runtime.config import Settings
from services.runtime.errors import DeadlineExceeded, Unavailable
from services.runtime.kafka import trace_headers

MAX_BATCH_ROWS = 1024  # max_batch_size of models/*/config.pbtxt


class Triton:
    """The inference server client (one channel per process)."""

    def __init__(self, settings: Settings) -> None:
        self.url = f"{settings.triton.host}:{settings.triton.grpc_port}"
        self._client: triton.InferenceServerClient | None = None

    @property
    def client(self) -> triton.InferenceServerClient:
        if self._client is None:
            self._client = triton.InferenceServerClient(self.url)
        return self._client

    async def server_ready(self) -> bool:
        try:
            return bool(await self.client.is_server_ready(client_timeout=1.0))
        except Exception:
            return False

    async def is_ready(self, name: str, version: str) -> bool:
        try:
            return bool(await self.client.is_model_ready(name, version, client_timeout=2.0))
        except InferenceServerException:
            return False

    async def model_states(self) -> dict[tuple[str, str], ModelState]:
        """(model, version) -> its state on the server, for every model the server knows."""
        try:
            index = await self.client.get_model_repository_index(client_timeout=2.0)
        except InferenceServerException:
            raise Unavailable("the inference server does not answer") from None
        return {(m.name, m.version): ModelState(m.state, m.reason) for m in index.models}

    async def infer(self, name: str, version: mv.ModelVersion, rows: Rows, timeout: float) -> Scores:
        """The scores of `rows`, in requests of at most the models' max_batch_size rows."""
        chunks = [rows[i : i + MAX_BATCH_ROWS] for i in range(0, len(rows), MAX_BATCH_ROWS)] or [rows]
        scores = await asyncio.gather(*(self._infer(name, version, chunk, timeout) for chunk in chunks))
        return np.concatenate(scores)

    async def _infer(self, name: str, version: mv.ModelVersion, rows: Rows, timeout: float) -> Scores:
        signature = version.signature
        tensor = triton.InferInput(signature.input_tensors[0].tensor_name, list(rows.shape), "FP32")
        tensor.set_data_from_numpy(rows)
        output = signature.output_tensors[0].tensor_name
        try:
            result = await self.client.infer(
                name, [tensor], model_version=version.version, outputs=[triton.InferRequestedOutput(output)],
                client_timeout=timeout, headers=trace_headers(),  # Triton's span joins the caller's trace
            )  # fmt: skip
        except InferenceServerException as error:
            status, message = str(error.status() or ""), error.message() or ""
            if "DEADLINE_EXCEEDED" in status:
                raise DeadlineExceeded("the inference server did not answer in time") from None
            if "unknown model" in message.lower() or "not ready" in message.lower() or "NOT_FOUND" in status:
                raise Unavailable(
                    f"{name} version {version.version} is not loaded on the inference server",
                    reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
                ) from None
            raise Unavailable(f"the inference server failed: {status}") from None
        scores: Scores = result.as_numpy(output).reshape(-1).astype(float)
        return scores

    async def start(self) -> None:
        """Nothing to open: the channel opens at the first call, in the running loop."""

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
