"""Which customers this process may let pay without asking the customer service again (KYC passed, not erased).

Only a positive answer of `RetrieveCustomerVerification` is remembered, for TTL seconds at most; a miss asks
again. Revocations come from the customer events (`CustomerVerificationChanged` without payments_allowed,
`CustomerErased`), applied by this process's own consumer (`KeyEviction`, adapters/background.py), and
always win:
- a revocation drops the customer at once, and an answer asked for before it (in flight while the event
  was applied) is not remembered: every revocation takes an epoch, and a grant carries the epoch it
  was asked in;
- nothing is trusted while the consumer is not listening (not started, Kafka unreachable): the cache is
  emptied and every payment asks, so a revocation missed meanwhile cannot be trusted past it;
- the TTL bounds what is left: a revocation that reaches this process late (the event's way through the
  outbox and Kafka, ~0.1-0.3 s in the mesh) or not at all (its consumer stalled without failing) lets a
  customer pay for at most TTL seconds after their last positive answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TTL = 30.0
MAX_ENTRIES = 100_000  # past it everything is forgotten: a miss only costs a call


class VerifiedCustomers:
    def __init__(
        self,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._until: dict[str, float] = {}  # customer id -> until when (clock) they may pay unasked
        self._epoch = 0  # counts revocations (and forgettings): a grant from before the last one is refused
        self._revoked: dict[str, int] = {}  # customer id -> epoch of their last revocation
        self._floor = 0  # grants asked before this epoch are refused (after everything was forgotten)
        self._listening: Callable[[], bool] = lambda: False

    def listen_with(self, listening: Callable[[], bool]) -> None:
        """Trust entries only while `listening()` (the revocations' consumer is connected and assigned)."""
        self._listening = listening

    @property
    def epoch(self) -> int:
        """Take it before asking the customer service; hand it to `grant` with the answer."""
        return self._epoch

    def allowed(self, customer_id: str) -> bool:
        """True when the customer was verified within TTL and nothing revoked it since."""
        if not self._listening():
            self.forget_all()
            return False
        until = self._until.get(customer_id)
        if until is None:
            return False
        if until > self._clock():
            return True
        del self._until[customer_id]
        return False

    def grant(self, customer_id: str, asked_at: int) -> None:
        """Remember a positive answer asked for at epoch `asked_at`, unless revoked since or not listening."""
        if asked_at < self._floor or self._revoked.get(customer_id, -1) > asked_at or not self._listening():
            return
        if len(self._until) >= self._max_entries:
            self.forget_all()
            return
        self._until[customer_id] = self._clock() + self.ttl

    def revoke(self, customer_id: str) -> None:
        """The customer may no longer pay (KYC no longer passed, or erased): ask again next time."""
        self._epoch += 1
        self._until.pop(customer_id, None)
        if len(self._revoked) >= self._max_entries:
            self.forget_all()
        self._revoked[customer_id] = self._epoch

    def forget_all(self) -> None:
        """Drop every entry and refuse every grant asked for before now."""
        self._epoch += 1
        self._floor = self._epoch
        self._until.clear()
        self._revoked.clear()
