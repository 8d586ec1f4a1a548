"""`python -m services.features`: run the features service."""

from services.runtime.app import domain_service
from services.runtime.server import run

run(domain_service("features"))
