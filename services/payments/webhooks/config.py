"""Webhook delivery settings, from FINTECH_PAYMENTS__WEBHOOK_<KEY> environment variables, for example

    FINTECH_PAYMENTS__WEBHOOK_RETRY_DELAYS=[60,300,1800,7200,21600,43200]  # seconds; the last repeats
    FINTECH_PAYMENTS__WEBHOOK_GIVE_UP_AFTER_SECONDS=259200                 # 72 h after the first attempt

The keys (sealing of signing secrets, page tokens) are the payments service's (services.payments.config).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.payments.webhooks.schedule import RetryPolicy

DEFAULT = RetryPolicy()


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINTECH_PAYMENTS__WEBHOOK_", extra="ignore")

    retry_delays: list[float] = list(DEFAULT.delays)
    give_up_after_seconds: float = DEFAULT.give_up_after.total_seconds()
    max_attempts: int = DEFAULT.max_attempts
    request_timeout_seconds: float = 10.0  # a 2xx within 10 s acknowledges (webhook.proto)
    poll_interval_seconds: float = 1.0
    batch_size: int = 32

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(tuple(self.retry_delays), timedelta(seconds=self.give_up_after_seconds), self.max_attempts)
