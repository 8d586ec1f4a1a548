"""The customer service's secrets: key-encryption keys (KEKs), the page-token key, the pseudonymisation key.

In a cluster they come from the environment (a Kubernetes Secret):

    FINTECH_CUSTOMER__KEK_ID=kek-2024-06          # id of the active KEK
    FINTECH_CUSTOMER__KEK=<base64 of 32 bytes>    # the active KEK (AES-256)
    FINTECH_CUSTOMER__RETIRED_KEKS=kek-2023-12:<base64>,...   # older KEKs, still able to unwrap
    FINTECH_CUSTOMER__PAGE_TOKEN_KEY=<base64>     # HMAC key of ListCustomers page tokens
    FINTECH_CUSTOMER__PSEUDONYM_KEY=<base64>      # HMAC key of blind indexes and counterparty keys

Locally (no FINTECH_CUSTOMER__KEK) a random set is generated once into `<state_dir>/keys/customer.json`
(mode 0600, git-ignored with the rest of var/), where `python -m services.customer.rotate_kek add-kek`
adds the next KEK. No key is ever committed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.runtime.config import Settings


class _CustomerEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINTECH_CUSTOMER__", extra="ignore")

    kek_id: str = "kek-1"
    kek: str = ""
    retired_keks: str = ""
    page_token_key: str = ""
    pseudonym_key: str = ""
    key_file: str = ""


@dataclass(frozen=True)
class CustomerKeys:
    active_kek_id: str
    keks: dict[str, bytes]  # every KEK that may unwrap, the active one included
    page_token_key: bytes
    pseudonym_key: bytes


def _b64(value: str, what: str) -> bytes:
    text = value.strip().replace("-", "+").replace("_", "/")
    raw = base64.b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != 32:
        raise ValueError(f"{what} must be 32 bytes (base64), got {len(raw)}")
    return raw


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _generate(path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "kek_id": "local-kek-1",
        "keks": {"local-kek-1": _random_key()},
        "page_token_key": _random_key(),
        "pseudonym_key": _random_key(),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle)
    return data


def _rewrite(path: Path, data: dict[str, Any]) -> None:
    """Replace the key file at once (a reader sees the old or the new file, never half of one)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle)
    os.replace(temporary, path)


def local_key_file(settings: Settings) -> Path:
    return settings.state_dir / "keys" / "customer.json"


class KeysFromEnvironment(Exception):
    """The KEKs come from the environment (a Kubernetes Secret): change them there, not in a key file."""


def _local_key_file(settings: Settings) -> Path:
    environment = _CustomerEnvironment()
    if environment.kek:
        raise KeysFromEnvironment("the KEKs come from FINTECH_CUSTOMER__KEK / __RETIRED_KEKS: change the Secret")
    return Path(environment.key_file) if environment.key_file else local_key_file(settings)


def add_local_kek(settings: Settings, kek_id: str = "") -> str:
    """Generate a KEK into the local key file and make it the active one; the others stay there to unwrap."""
    path = _local_key_file(settings)
    load_keys(settings)  # generates the file if there is none yet
    data = json.loads(path.read_text())
    number = len(data["keks"]) + 1
    while not kek_id and f"local-kek-{number}" in data["keks"]:
        number += 1
    kek_id = kek_id or f"local-kek-{number}"
    if kek_id in data["keks"]:
        raise ValueError(f"KEK {kek_id} exists already")
    data["keks"][kek_id] = _random_key()
    data["kek_id"] = kek_id
    _rewrite(path, data)
    return kek_id


def drop_local_kek(settings: Settings, kek_id: str) -> None:
    """Remove a KEK that is not the active one from the local key file (check first that it wraps nothing)."""
    path = _local_key_file(settings)
    data = json.loads(path.read_text())
    if kek_id == data["kek_id"]:
        raise ValueError(f"KEK {kek_id} is the active one")
    if kek_id not in data["keks"]:
        raise ValueError(f"no KEK {kek_id} in {path}")
    del data["keks"][kek_id]
    _rewrite(path, data)


def load_keys(settings: Settings) -> CustomerKeys:
    environment = _CustomerEnvironment()
    if environment.kek:
        keks = {environment.kek_id: _b64(environment.kek, "FINTECH_CUSTOMER__KEK")}
        for item in filter(None, (part.strip() for part in environment.retired_keks.split(","))):
            kek_id, _, value = item.partition(":")
            keks[kek_id] = _b64(value, f"retired KEK {kek_id}")
        if not environment.page_token_key or not environment.pseudonym_key:
            raise ValueError(
                "FINTECH_CUSTOMER__PAGE_TOKEN_KEY and FINTECH_CUSTOMER__PSEUDONYM_KEY must be set with the KEK"
            )
        return CustomerKeys(
            environment.kek_id,
            keks,
            _b64(environment.page_token_key, "page token key"),
            _b64(environment.pseudonym_key, "pseudonym key"),
        )
    path = _local_key_file(settings)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        try:
            data = _generate(path)
        except FileExistsError:  # another process generated it first
            data = json.loads(path.read_text())
    return CustomerKeys(
        data["kek_id"],
        {kek_id: _b64(value, kek_id) for kek_id, value in data["keks"].items()},
        _b64(data["page_token_key"], "page token key"),
        _b64(data["pseudonym_key"], "pseudonym key"),
    )
