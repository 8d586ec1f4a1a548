"""`python -m services.console`: run the operations console (its web server and a health-only gRPC server)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.console.main import build
from services.runtime.server import run

run(build())
