"""The bad-input tests run after the rest of the session: they write random records into every service."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: the other tests keep their order and never meet the fuzzers' records.
    items.sort(key=lambda item: "badinput" in item.path.parts)
