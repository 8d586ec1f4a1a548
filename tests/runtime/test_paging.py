"""The runtime's signed page tokens (services.runtime.paging), which every service's list RPCs use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.runtime import paging


def test_page_tokens_are_signed_bound_to_the_request_and_expire():
    key, now = b"p" * 32, datetime(2026, 11, 25, tzinfo=UTC)
    token = paging.issue(key, now, "id-1", "f1", now=now)
    assert paging.read(key, token, "f1", now=now).after_id == "id-1"
    for bad_key, fp, when in ((b"q" * 32, "f1", now), (key, "f2", now), (key, "f1", now + timedelta(days=2))):
        with pytest.raises(paging.InvalidPageToken):
            paging.read(bad_key, token, fp, now=when)
    with pytest.raises(paging.InvalidPageToken):
        paging.read(key, "not-a-token!", "f1")
