"""A service's secret keys (HMAC and KEKs): from the environment in a cluster, generated once locally.

In a cluster a key comes from an environment variable filled from a Kubernetes Secret, so that every
replica holds the same one (base64 of 32 bytes; URL-safe base64 and missing padding are accepted).
Locally it is generated once into a file under `<state_dir>/keys/` (mode 0600, git-ignored with the rest
of var/) and shared by the service's processes. No key is ever committed.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from services.runtime.config import Settings

KEY_BYTES = 32


def configured(variable: str) -> bytes | None:
    """The key in `variable`, None when it is unset or blank; ValueError when it is no 32-byte key."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    try:
        key = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=False)
    except binascii.Error:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{variable} must be base64 of {KEY_BYTES} bytes")
    return key


def local(path: Path) -> bytes:
    """A random key generated once into `path` (mode 0600); of two processes starting together the first wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(temporary, path)  # a reader sees no key file or a whole one
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} does not hold a {KEY_BYTES}-byte key")
    return key


def secret_key(settings: Settings, variable: str, file_name: str) -> bytes:
    """The key of `variable`, or else the local one in `<state_dir>/keys/<file_name>`."""
    return configured(variable) or local(settings.state_dir / "keys" / file_name)
