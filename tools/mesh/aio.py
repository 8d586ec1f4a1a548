"""Run the launcher's async probes from synchronous code, whether or not an event loop is running."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from async code (an async test, say): a fresh loop in a worker thread, so asyncpg and
    # aiokafka objects never straddle two loops. The caller's loop blocks meanwhile, which is fine here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
