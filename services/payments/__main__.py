"""`python -m services.payments`: run the payments service."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from services.payments import wiring as core_wiring
from services.payments.config import load_keys
from services.payments.settlement import wiring as settlement_wiring
from services.payments.webhooks import wiring as webhook_wiring
from services.runtime.app import domain_service
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import run

settings = get_settings()
database = Database.for_service("payments", settings)
keys = load_keys(settings)
core_servicers, core_workers = core_wiring.parts(database, settings, keys)
webhook_servicers, webhook_workers = webhook_wiring.parts(database, settings, keys)
settlement_servicers, settlement_workers = settlement_wiring.parts(database, settings, keys)
run(
    domain_service(
        "payments",
        [*core_servicers, *webhook_servicers, *settlement_servicers],
        settings,
        database=database,
        background=[*core_workers, *webhook_workers, *settlement_workers],
    )
)
