"""The ml service's keys."""

from __future__ import annotations

import os

from services.runtime import secret_keys
from services.runtime.config import Settings


def monitoring_key() -> bytes:
    """HMAC key of the entity ids in PredictionServed events: from the environment (a Secret in a cluster), a dev
    default locally."""
    return os.environ.get("FINTECH_ML_MONITORING_KEY", "fintech-dev-monitoring-key").encode()


def page_token_key(settings: Settings) -> bytes:
    """Signs the page tokens of ListModelVersions: FINTECH_ML__PAGE_TOKEN_KEY in a cluster, the same for every
    replica."""
    return secret_keys.secret_key(settings, "FINTECH_ML__PAGE_TOKEN_KEY", "ml-page-token.key")
