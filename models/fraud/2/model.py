"""Triton python-backend model: onnxruntime on the `model.onnx` beside this file.

Input `input__0` FP32 [batch, n_features] (the signature's feature order), output `score` FP32
[batch, 1], the probability of the positive class. The file is the same for every model and version;
it finds its artifact relative to its own directory, so the repository can live anywhere (a local
directory here, object storage mounted into a stock Triton in a cluster).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnxruntime
import triton_python_backend_utils as pb_utils

INPUT = "input__0"
OUTPUT = "score"


class TritonPythonModel:
    def initialize(self, args: dict) -> None:
        config = json.loads(args["model_config"])
        self.output_dtype = pb_utils.triton_string_to_numpy(
            pb_utils.get_output_config_by_name(config, OUTPUT)["data_type"]
        )
        options = onnxruntime.SessionOptions()
        # One Triton instance per model uses one core; more instances come from the config's instance_group.
        options.intra_op_num_threads = int(os.environ.get("FINTECH_ORT_THREADS", "1"))
        options.inter_op_num_threads = 1
        path = Path(__file__).resolve().parent / "model.onnx"
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.probabilities = next(o.name for o in self.session.get_outputs() if o.name == "probabilities")

    def execute(self, requests: list) -> list:
        # The dynamic batcher hands over several requests at once: one onnxruntime run for all of them.
        inputs = [pb_utils.get_input_tensor_by_name(request, INPUT).as_numpy() for request in requests]
        sizes = [len(x) for x in inputs]
        batch = np.concatenate(inputs).astype(np.float32, copy=False)
        scores = self.session.run([self.probabilities], {INPUT: batch})[0][:, 1:2].astype(self.output_dtype)
        responses = []
        offset = 0
        for size in sizes:
            tensor = pb_utils.Tensor(OUTPUT, scores[offset : offset + size])
            responses.append(pb_utils.InferenceResponse(output_tensors=[tensor]))
            offset += size
        return responses

    def finalize(self) -> None:
        self.session = None
