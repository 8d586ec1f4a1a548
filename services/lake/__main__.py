"""`python -m services.lake`: run the lake service (the Iceberg catalog's owner and the lake sink)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.lake.main import build
from services.runtime.server import run

run(build())
