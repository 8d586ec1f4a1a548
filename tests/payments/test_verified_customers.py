"""The rules of payments' memory of verified customers (adapters/verified_customers.py): a positive answer is
trusted for TTL at most, a revocation wins over an answer asked for before it, and nothing is trusted while
the revocations' consumer is not listening."""

from __future__ import annotations

from services.payments.adapters.verified_customers import TTL, VerifiedCustomers

ALICE, BOB = "9a4c4a5e-64d2-4a43-8a5c-3f3f1c7e0001", "9a4c4a5e-64d2-4a43-8a5c-3f3f1c7e0002"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def listening(ttl: float = TTL, max_entries: int = 100) -> tuple[VerifiedCustomers, Clock, list[bool]]:
    clock, live = Clock(), [True]
    verified = VerifiedCustomers(ttl=ttl, clock=clock, max_entries=max_entries)
    verified.listen_with(lambda: live[0])
    return verified, clock, live


def test_a_positive_answer_is_trusted_for_the_ttl_and_no_longer():
    verified, clock, _ = listening(ttl=30.0)
    assert not verified.allowed(ALICE)
    verified.grant(ALICE, verified.epoch)
    assert verified.allowed(ALICE) and not verified.allowed(BOB)
    clock.now += 29.9
    assert verified.allowed(ALICE)
    clock.now += 0.1
    assert not verified.allowed(ALICE)
    clock.now -= 10  # an expired entry is gone, not merely out of date
    assert not verified.allowed(ALICE)


def test_a_revocation_drops_the_customer_at_once():
    verified, _, _ = listening()
    verified.grant(ALICE, verified.epoch)
    verified.grant(BOB, verified.epoch)
    verified.revoke(ALICE)
    assert not verified.allowed(ALICE)
    assert verified.allowed(BOB)  # the others stay


def test_an_answer_asked_for_before_a_revocation_is_not_remembered():
    verified, _, _ = listening()
    asked_at = verified.epoch  # the call goes out ...
    verified.revoke(ALICE)  # ... the event is applied while it is out ...
    verified.grant(ALICE, asked_at)  # ... and its (now stale) positive answer comes back
    assert not verified.allowed(ALICE)
    verified.grant(BOB, asked_at)  # another customer's answer from the same moment stands
    assert verified.allowed(BOB)


def test_an_answer_asked_for_after_the_revocation_is_remembered():
    verified, _, _ = listening()
    verified.revoke(ALICE)
    verified.grant(ALICE, verified.epoch)  # verified again since: asked after the revocation
    assert verified.allowed(ALICE)


def test_nothing_is_trusted_while_the_consumer_is_not_listening():
    verified, _, live = listening()
    verified.grant(ALICE, verified.epoch)
    asked_at = verified.epoch
    live[0] = False
    assert not verified.allowed(ALICE)
    verified.grant(BOB, verified.epoch)  # not remembered either
    live[0] = True
    assert not verified.allowed(ALICE), "what was trusted before the consumer stopped listening is forgotten"
    assert not verified.allowed(BOB)
    verified.grant(BOB, asked_at)  # asked before the gap: a revocation may have been missed in it
    assert not verified.allowed(BOB)
    verified.grant(BOB, verified.epoch)
    assert verified.allowed(BOB)


def test_nothing_is_trusted_before_a_consumer_listens():
    verified = VerifiedCustomers()
    verified.grant(ALICE, verified.epoch)
    assert not verified.allowed(ALICE)


def test_a_full_cache_forgets_everything_and_refuses_answers_from_before():
    verified, _, _ = listening(max_entries=2)
    verified.grant(ALICE, verified.epoch)
    verified.grant(BOB, verified.epoch)
    asked_at = verified.epoch
    verified.grant("9a4c4a5e-64d2-4a43-8a5c-3f3f1c7e0003", asked_at)  # the third: everything is forgotten
    assert not verified.allowed(ALICE) and not verified.allowed(BOB)
    verified.grant(ALICE, asked_at)
    assert not verified.allowed(ALICE)
    verified.grant(ALICE, verified.epoch)
    assert verified.allowed(ALICE)


def test_many_revocations_never_let_a_revoked_customer_back_in():
    verified, _, _ = listening(max_entries=2)
    asked_at = verified.epoch
    verified.revoke(ALICE)
    for index in range(5):  # more revocations than entries: ALICE's record of it is dropped, the floor stays
        verified.revoke(f"9a4c4a5e-64d2-4a43-8a5c-3f3f1c7e010{index}")
    verified.grant(ALICE, asked_at)
    assert not verified.allowed(ALICE)
