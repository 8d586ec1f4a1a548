"""The edge tests' settings: a per-client rate limit low enough to reach in a test.

Set before the session's Settings exist (conftest modules are imported at collection, fixtures later);
every other client of the test mesh mints its own subject, so no other test shares a bucket.
"""

from __future__ import annotations

import os

from services.runtime.config import get_settings

RATE_LIMIT = 12
if os.environ.setdefault("FINTECH_EDGE__RATE_LIMIT_REQUESTS", str(RATE_LIMIT)) == str(RATE_LIMIT):
    get_settings.cache_clear()
