"""Bounded exponential backoff with jitter, for retrying Kafka and database work."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.2
    maximum: float = 30.0
    multiplier: float = 2.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` consecutive failures (>= 1): grows, capped, half of it jittered."""
        ceiling = min(self.maximum, self.initial * self.multiplier ** max(0, failures - 1))
        # Jitter spreads the retries of many instances that failed at the same moment.
        return ceiling / 2 + random.uniform(0, ceiling / 2)
