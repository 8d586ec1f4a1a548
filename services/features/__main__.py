"""`python -m services.features`: run the features service (the feature store and its pipeline)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.features.main import build
from services.runtime.server import run

run(build())
