"""`python -m services.ml`: run the ml service."""

from services.runtime.app import domain_service
from services.runtime.server import run

run(domain_service("ml"))
