"""Risk's page tokens: what the API issued reads back; anything else is INVALID_ARGUMENT (bad-input fuzzing found
tokens that decoded to an empty cursor and crashed the list handlers)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.risk.common import decode_token, encode_token
from services.runtime.errors import InvalidArgument

WHEN = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_an_issued_token_reads_back():
    after = uuid.uuid4()
    assert decode_token(encode_token(WHEN, str(after)), uuid.UUID, timed=True) == (WHEN, after)
    assert decode_token(encode_token(None, "42"), int) == (None, 42)


@pytest.mark.parametrize(
    "token, parse_id, timed",
    [
        (" ", str, False),
        (":", int, False),
        ("not base64 at all!", str, False),
        (encode_token(None, ""), str, False),  # an empty cursor
        (encode_token(None, "abc"), int, False),  # an id of the wrong kind
        (encode_token(None, str(uuid.uuid4())), uuid.UUID, True),  # a time-ordered list needs the time
    ],
)
def test_anything_else_is_invalid_argument(token, parse_id, timed):
    with pytest.raises(InvalidArgument):
        decode_token(token, parse_id, timed=timed)
