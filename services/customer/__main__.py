"""`python -m services.customer`: run the customer service."""

from services.runtime.app import domain_service
from services.runtime.server import run

run(domain_service("customer"))
