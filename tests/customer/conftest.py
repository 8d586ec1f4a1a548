"""Fixtures of the customer service's tests."""

from __future__ import annotations

import pytest

from services.runtime.config import Settings
from tests.customer.support import Api


@pytest.fixture
def api(settings: Settings, _mesh_components) -> Api:
    """The customer service called as the REST edge (claims forwarded in x-jwt-payload)."""
    return Api(settings)
