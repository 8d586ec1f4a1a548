"""`python -m services.risk`: run the risk service."""

from services.runtime.app import domain_service
from services.runtime.server import run

run(domain_service("risk"))
