"""`python -m services.analytics`: run the analytics service (the stream processor of the real-time aggregates)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.analytics.main import build
from services.runtime.server import run

run(build())
