"""The ml service's page-token key: the HMAC key of its list RPCs' page tokens (services.runtime.paging).

In a cluster it comes from the environment (a Kubernetes Secret), the same for every replica:

    FINTECH_ML__PAGE_TOKEN_KEY=<base64 of 32 bytes>

Locally it is generated once into `<state_dir>/keys/ml-page-token.key` (mode 0600, git-ignored with the rest
of var/), shared by the service's processes. No key is ever committed.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from services.runtime.config import Settings

KEY_BYTES = 32
VARIABLE = "FINTECH_ML__PAGE_TOKEN_KEY"


def _configured() -> bytes | None:
    configured = os.environ.get(VARIABLE, "").strip()
    if not configured:
        return None
    try:
        key = base64.b64decode(configured + "=" * (-len(configured) % 4), altchars=b"-_", validate=False)
    except binascii.Error:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{VARIABLE} must be base64 of {KEY_BYTES} bytes")
    return key


def _local(path: Path) -> bytes:
    """A random key generated once into `path` (mode 0600); of two processes starting together the first wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(temporary, path)  # a reader sees no key file or a whole one; of two processes the first wins
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} does not hold a {KEY_BYTES}-byte key")
    return key


def page_token_key(settings: Settings) -> bytes:
    return _configured() or _local(settings.state_dir / "keys" / "ml-page-token.key")
