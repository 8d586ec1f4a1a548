"""`python -m services.payments`: run the payments service."""

from services.runtime.app import domain_service
from services.runtime.server import run

run(domain_service("payments"))
