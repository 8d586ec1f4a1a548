"""Signing secrets at rest: sealed with AES-256-GCM under a key derived from the payments KEK.

The service must sign with the secret, so it cannot keep only a hash; it keeps the secret encrypted.
The key is HKDF(KEK, "webhook signing secrets"), so it is never the KEK itself, and the sealed value
names the KEK it came from, so secrets sealed before a KEK rotation still open with the retired KEK.
The endpoint id is the associated data: a sealed secret copied onto another endpoint does not open.
Clear secrets live only in memory for one request or one delivery attempt and are never logged.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.payments.config import PaymentsKeys

NONCE_BYTES = 12
INFO = b"fintech payments webhook signing secrets v1"


def _key(kek: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(kek)


def seal(keys: PaymentsKeys, endpoint_id: str, secret: str) -> bytes:
    """`<kek id> NUL <nonce> <ciphertext>`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_key(keys.keks[keys.active_kek_id])).encrypt(nonce, secret.encode(), endpoint_id.encode())
    return keys.active_kek_id.encode() + b"\0" + nonce + sealed


def open_sealed(keys: PaymentsKeys, endpoint_id: str, sealed: bytes) -> str:
    kek_id, _, rest = sealed.partition(b"\0")
    key = _key(keys.keks[kek_id.decode()])
    return AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], endpoint_id.encode()).decode()
