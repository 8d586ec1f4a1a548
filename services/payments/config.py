"""The payments service's secrets: the KEK that wraps per-customer data keys, and the page-token key.

In a cluster they come from the environment (a Kubernetes Secret):

    FINTECH_PAYMENTS__KEK_ID=kek-2024-06            # id of the active KEK
    FINTECH_PAYMENTS__KEK=<base64 of 32 bytes>      # the active KEK (AES-256)
    FINTECH_PAYMENTS__PAGE_TOKEN_KEY=<base64>       # HMAC key of ListPayments/ListAccounts page tokens

Locally (no FINTECH_PAYMENTS__KEK) a random pair is generated once into `<state_dir>/keys/payments.json`
(mode 0600, git-ignored with the rest of var/). No key is ever committed.

Webhook delivery settings come from FINTECH_PAYMENTS__WEBHOOK_<KEY> environment variables, for example

    FINTECH_PAYMENTS__WEBHOOK_RETRY_DELAYS=[60,300,1800,7200,21600,43200]  # seconds; the last repeats
    FINTECH_PAYMENTS__WEBHOOK_GIVE_UP_AFTER_SECONDS=259200                 # 72 h after the first attempt
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.payments.domain.webhook_schedule import RetryPolicy
from services.runtime.config import Settings


class _PaymentsEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINTECH_PAYMENTS__", extra="ignore")

    kek_id: str = "kek-1"
    kek: str = ""
    page_token_key: str = ""


@dataclass(frozen=True)
class PaymentsKeys:
    active_kek_id: str
    keks: dict[str, bytes]
    page_token_key: bytes


def _key(value: str, what: str) -> bytes:
    raw = base64.urlsafe_b64decode(value.strip().replace("+", "-").replace("/", "_") + "=" * (-len(value.strip()) % 4))
    if len(raw) != 32:
        raise ValueError(f"{what} must be 32 bytes (base64), got {len(raw)}")
    return raw


def _read(path: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads(path.read_text())
    return data


def _local(path: Path) -> dict[str, str]:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {name: base64.b64encode(secrets.token_bytes(32)).decode() for name in ("kek", "page_token_key")}
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (a second worker) wrote it first
        return _read(path)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle)
    return data


def load_keys(settings: Settings) -> PaymentsKeys:
    environment = _PaymentsEnvironment()
    if environment.kek:
        if not environment.page_token_key:
            raise ValueError("FINTECH_PAYMENTS__PAGE_TOKEN_KEY must be set with the KEK")
        kek, page = environment.kek, environment.page_token_key
        kek_id = environment.kek_id
    else:
        data = _local(settings.state_dir / "keys" / "payments.json")
        kek, page, kek_id = data["kek"], data["page_token_key"], "local-kek-1"
    return PaymentsKeys(kek_id, {kek_id: _key(kek, "the KEK")}, _key(page, "the page token key"))


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
