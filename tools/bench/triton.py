"""Triton inference over gRPC (tritonclient.grpc.aio), per model: single-row latency, concurrent rows/s, batches.

    python -m tools.bench [--runs 3] [--requests 500]

Needs Triton up (`make bench` starts it with `python -m tools.mesh up triton`). Each scenario runs
`--runs` times; the table and var/bench/triton.json hold the medians (and every run).
perf_analyzer is not used: the PyPI package `perf-analyzer` (0.1.0) is an empty placeholder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import numpy as np
import tritonclient.grpc.aio as triton
from numpy.typing import NDArray

from libs.featurespec.model_inputs import FEATURES
from services.runtime.config import ROOT, get_settings
from tools.bench import results as results_file

MODELS = ("fraud", "credit")


def _input(rows: NDArray[np.float32]) -> list[triton.InferInput]:
    tensor = triton.InferInput("input__0", list(rows.shape), "FP32")
    tensor.set_data_from_numpy(rows)
    return [tensor]


async def _one(client: triton.InferenceServerClient, model: str, rows: NDArray[np.float32]) -> float:
    started = time.perf_counter()
    await client.infer(model, _input(rows), model_version="1", outputs=[triton.InferRequestedOutput("score")])
    return time.perf_counter() - started


async def scenario(
    client: triton.InferenceServerClient, model: str, requests: int, concurrency: int, batch: int
) -> dict[str, float]:
    rng = np.random.default_rng(0)
    rows = rng.random((batch, len(FEATURES[model])), dtype=np.float32) * 100
    latencies: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for _ in queue:
            latencies.append(await _one(client, model, rows))

    for _ in range(20):  # warm-up
        await _one(client, model, rows)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "requests_per_s": requests / elapsed,
        "rows_per_s": requests * batch / elapsed,
    }


async def agreement(client: triton.InferenceServerClient, model: str, count: int = 1000) -> float:
    """The largest |Triton score - onnxruntime score here| over rows drawn from the training deciles."""
    import onnxruntime

    directory = ROOT / "models" / model / "1"
    baseline = json.loads((directory / "metrics.json").read_text())["drift_baseline"]
    rng = np.random.default_rng(1)
    columns = [rng.choice([*(baseline[f.name]["edges"] or [0.0]), -1.0], size=count) for f in FEATURES[model]]
    rows = np.stack(columns, axis=1).astype(np.float32)
    result = await client.infer(model, _input(rows), model_version="1", outputs=[triton.InferRequestedOutput("score")])
    local = onnxruntime.InferenceSession(str(directory / "model.onnx")).run(["probabilities"], {"input__0": rows})
    return float(np.max(np.abs(result.as_numpy("score")[:, 0] - local[0][:, 1])))


SCENARIOS = {
    "single row, 1 client": (1, 1),
    "single row, 16 concurrent": (16, 1),
    "256-row batch, 4 concurrent": (4, 256),
}


async def run(runs: int, requests: int) -> dict[str, Any]:
    settings = get_settings()
    results: dict[str, Any] = {}
    async with triton.InferenceServerClient(f"{settings.triton.host}:{settings.triton.grpc_port}") as client:
        for model in MODELS:
            for name, (concurrency, batch) in SCENARIOS.items():
                n = requests if batch == 1 else max(requests // 10, 20)
                samples = [await scenario(client, model, n, concurrency, batch) for _ in range(runs)]
                median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
                results.setdefault(model, {})[name] = {"median": median, "runs": samples}
            results[model]["max_abs_difference_to_onnxruntime"] = await agreement(client, model)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.runs, args.requests))
    written = results_file.write(
        "triton", "Triton gRPC inference, python backend + onnxruntime, dynamic batching", args.runs, results
    )
    print(f"{'model':8} {'scenario':30} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>9} {'rows/s':>10}")
    for model, scenarios in results.items():
        difference = scenarios.pop("max_abs_difference_to_onnxruntime")
        for name, result in scenarios.items():
            m = result["median"]
            print(
                f"{model:8} {name:30} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} "
                f"{m['requests_per_s']:9.0f} {m['rows_per_s']:10.0f}"
            )
        print(f"{model:8} max |Triton - onnxruntime here| over 1000 rows: {difference:.2e}")
    print(f"medians of {args.runs} runs; written to {written}")
