"""The dev token issuer's signing key, its JWKS and the tokens it signs (RS256).

The key pair lives in `<state_dir>/edge/` (private key 0600) with `jwks.json` beside it: Envoy's
jwt_authn reads that file (local_jwks), the issuer process and `python -m tools.edge.mint` sign with
the key. The first caller creates both; everyone else reuses them (a file lock orders concurrent
starts).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.runtime import access
from services.runtime.config import Settings

ALGORITHM = "RS256"
KEY_BITS = 2048
ROLES = tuple(sorted(access.ROLES))


def edge_dir(settings: Settings) -> Path:
    return settings.state_dir / "edge"


def jwks_path(settings: Settings) -> Path:
    return edge_dir(settings) / "jwks.json"


def _key_path(settings: Settings) -> Path:
    return edge_dir(settings) / "signing-key.pem"


def ensure_signing_key(settings: Settings) -> tuple[rsa.RSAPrivateKey, str]:
    """The issuer's private key and its key id; created (with the JWKS) when missing."""
    directory = edge_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory):
        key = _load_key(_key_path(settings))
        if key is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write(_key_path(settings), pem, mode=0o600)
        kid = key_id(key.public_key())
        jwks = json.dumps(jwks_document(key.public_key(), kid), indent=2).encode() + b"\n"
        path = jwks_path(settings)
        if not path.exists() or path.read_bytes() != jwks:
            _write(path, jwks, mode=0o644)
    return key, kid


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint of the public key, so the same key always has the same kid."""
    numbers = public_key.public_numbers()

    def b64(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    canonical = json.dumps({"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def jwks_document(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    return {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}]}


def issue_token(settings: Settings, subject: str, *, ttl: int | None = None, **claims: Any) -> str:
    """A signed access token for the edge: iss, aud, sub, iat, exp, jti plus the given claims."""
    key, kid = ensure_signing_key(settings)
    now = int(time.time())
    payload = {
        "iss": settings.edge.issuer,
        "aud": settings.edge.audience,
        "sub": subject,
        "iat": now,
        "exp": now + (ttl if ttl is not None else settings.edge.token_ttl_seconds),
        "jti": str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid})


def _load_key(path: Path) -> rsa.RSAPrivateKey | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return _parse_key(path, stat.st_ino, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parse_key(path: Path, inode: int, mtime_ns: int, size: int) -> rsa.RSAPrivateKey | None:
    """Parsing (and checking) a 2048-bit key costs about 40 ms: once per version of the file, not per token."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (FileNotFoundError, ValueError):
        return None
    return key if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= KEY_BITS else None


def _write(path: Path, data: bytes, *, mode: int) -> None:
    # Write then rename: Envoy or the issuer reading meanwhile sees the old file or the new one, never half.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(fd, mode)
        file.write(data)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
