"""PeriodicTask (services/runtime/periodic.py): rounds while there is work, an idle `interval` between, cut
short by wake(); stop() finishes the round in hand and ends the loop."""

from __future__ import annotations

import asyncio

from services.runtime.periodic import PeriodicTask


class Counting(PeriodicTask):
    def __init__(self, interval: float, busy_rounds: int = 0) -> None:
        super().__init__("counting", interval)
        self.rounds = 0
        self.busy_rounds = busy_rounds
        self.round_done = asyncio.Event()
        self.closed = False

    async def tick(self) -> bool:
        self.rounds += 1
        self.round_done.set()
        return self.rounds <= self.busy_rounds

    async def closing(self) -> None:
        self.closed = True


async def test_a_wake_starts_the_next_round_before_the_interval():
    task = Counting(interval=3600)
    await task.start()
    try:
        await asyncio.wait_for(task.round_done.wait(), 5)
        await asyncio.sleep(0.05)
        assert task.rounds == 1  # idling for an hour
        task.round_done.clear()
        task.wake()
        await asyncio.wait_for(task.round_done.wait(), 5)
        assert task.rounds == 2
    finally:
        await asyncio.wait_for(task.stop(), 5)
    assert task.closed


async def test_rounds_follow_at_once_while_busy_and_stop_ends_an_idle_loop_at_once():
    task = Counting(interval=3600, busy_rounds=3)
    await task.start()
    for _ in range(100):
        if task.rounds >= 4:
            break
        await asyncio.sleep(0.01)
    assert task.rounds == 4  # three busy rounds, then the one that found nothing
    await asyncio.wait_for(task.stop(), 1)  # not after the hour
    assert task.closed and task.rounds == 4
