"""`python -m services.payments`: run the payments service (built by services.payments.main)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.payments.main import build
from services.runtime.server import run

run(build())
