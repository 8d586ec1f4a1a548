"""`python -m services.customer`: run the customer service (built in services.customer.main)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.customer.main import build
from services.runtime.server import run

if __name__ == "__main__":
    run(build())
