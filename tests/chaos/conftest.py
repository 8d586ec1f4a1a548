"""The chaos tests run last in a session: they stop and restart the components the other tests use."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: "chaos" in item.path.parts)  # stable: everything else keeps its order
