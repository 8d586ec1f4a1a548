"""Tumbling one-minute windows of event time, and the keys the contract names (aggregates.proto).

A window is named by its first instant in RFC 3339 (`2026-12-07T07:31:00Z`), so keys sort by time as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

WINDOW = timedelta(minutes=1)


def window_start(moment: datetime) -> datetime:
    """The first instant of the window that holds `moment` (an aware datetime), in UTC."""
    moment = moment.astimezone(UTC)
    return moment.replace(second=0, microsecond=0)


def rfc3339(moment: datetime) -> str:
    """`moment` in UTC as RFC 3339 with a `Z` (whole seconds: windows start on a minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """The inverse of `rfc3339`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def key(*parts: str) -> str:
    """A composite key: its parts joined by `|` (the contract's separator; no part holds one)."""
    if any("|" in part for part in parts):
        raise ValueError(f"a key part holds the separator: {parts!r}")
    return "|".join(parts)
