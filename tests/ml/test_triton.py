"""The real Triton (the mesh's, python backend) serves the committed models with the scores onnxruntime gives."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import tritonclient.grpc.aio as triton

from services.runtime.config import Settings
from tests.ml.support import MODELS, local_scores, sample_rows

pytestmark = pytest.mark.mesh("triton")


def _client(settings: Settings) -> triton.InferenceServerClient:
    return triton.InferenceServerClient(f"{settings.triton.host}:{settings.triton.grpc_port}")


async def _infer(client: triton.InferenceServerClient, model: str, rows: np.ndarray) -> np.ndarray:
    tensor = triton.InferInput("input__0", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows)
    result = await client.infer(model, [tensor], model_version="1", outputs=[triton.InferRequestedOutput("score")])
    return result.as_numpy("score")


@pytest.mark.parametrize("model", MODELS)
async def test_served_scores_equal_local_onnxruntime(settings: Settings, model: str):
    rows = sample_rows(model, 300)
    async with _client(settings) as client:
        assert await client.is_model_ready(model, "1")
        served = await _infer(client, model, rows)
    assert served.shape == (300, 1)
    np.testing.assert_allclose(served[:, 0], local_scores(model, rows), rtol=0, atol=1e-6)


async def _counts(client: triton.InferenceServerClient) -> tuple[int, int]:
    """The fraud model's (executions, inferences) so far: cumulative, so a test reads their change."""
    stats = (await client.get_inference_statistics("fraud", "1", as_json=True))["model_stats"][0]
    return int(stats.get("execution_count", 0)), int(stats.get("inference_count", 0))


async def _settled_counts(client: triton.InferenceServerClient, inferences: int) -> tuple[int, int]:
    """The counts once they reach `inferences`, or after 10 s: Triton updates its statistics after it has
    sent a batch's responses, so a read right after the last reply can miss the batch still being counted."""
    deadline = asyncio.get_running_loop().time() + 10
    counts = await _counts(client)
    while counts[1] < inferences and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        counts = await _counts(client)
    return counts


async def test_concurrent_single_rows_are_batched_and_each_gets_its_own_score(settings: Settings):
    rows = sample_rows("fraud", 64, seed=11)
    async with _client(settings) as client:
        executions, inferences = await _counts(client)
        served = await asyncio.gather(*(_infer(client, "fraud", rows[i : i + 1]) for i in range(len(rows))))
        executions_after, inferences_after = await _settled_counts(client, inferences + len(rows))
    np.testing.assert_allclose(np.concatenate(served)[:, 0], local_scores("fraud", rows), atol=1e-6)
    # This burst alone: 64 inferences, which the dynamic batcher ran in fewer executions (earlier tests'
    # large batches must not make it pass).
    assert inferences_after - inferences == len(rows)
    assert executions_after - executions < len(rows)
