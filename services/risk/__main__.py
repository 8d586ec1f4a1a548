"""`python -m services.risk`: run the risk service (fraud detection, credit risk, regulatory compliance)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.risk.main import build
from services.runtime.server import run

run(build())
