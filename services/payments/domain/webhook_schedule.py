"""When a failed delivery is tried again: the contract's backoff, with jitter, bounded in time and count.

After attempt n fails the next one is due `delays[n-1]` later (the last delay repeats), each delay
jittered by up to ±10% so that the retries of many deliveries that failed together (a receiver's
outage) spread out. A delivery whose next attempt would fall after `give_up_after` from its first
attempt, or that has had `max_attempts` attempts, is FAILED instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

MINUTE, HOUR = 60.0, 3600.0


@dataclass(frozen=True)
class RetryPolicy:
    # About 1 min, 5 min, 30 min, 2 h, 6 h, then every 12 h (webhook.proto).
    delays: tuple[float, ...] = (1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, 12 * HOUR)
    give_up_after: timedelta = timedelta(hours=72)
    max_attempts: int = 20
    jitter: float = 0.1

    def next_attempt(self, attempts: int, first_attempt: datetime, now: datetime) -> datetime | None:
        """When to try again after `attempts` failed attempts; None: give up (the delivery FAILED)."""
        if attempts >= self.max_attempts:
            return None
        delay = self.delays[min(attempts, len(self.delays)) - 1]
        delay *= 1 + random.uniform(-self.jitter, self.jitter)
        due = now + timedelta(seconds=delay)
        return due if due - first_attempt <= self.give_up_after else None


@dataclass(frozen=True)
class Outcome:
    """How one delivery attempt ended."""

    status_code: int = 0  # 0: no response
    error: str = ""  # empty on success

    @property
    def succeeded(self) -> bool:
        return not self.error
