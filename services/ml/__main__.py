"""`python -m services.ml`: run the ml service (model serving in front of Triton, the model registry)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.ml.main import build
from services.runtime.server import run

run(build())
