"""The privacy scan looks at what the whole session left behind: it runs last, after the bad-input tests."""

from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]):
    yield  # after every other ordering (tests/badinput moves its tests last with trylast)
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "runs_last: a test that inspects what the rest of the session left behind")
