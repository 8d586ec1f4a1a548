"""The environment grpc core reads once, when grpc is first imported; set by the process's entry point.

Only GRPC_SSL_CIPHER_SUITES, for TLS 1.3 only (why this list means that: services/runtime/tls.py). A
service's `__main__` calls `configure()` before its first import of grpc (or of anything importing it), and
the mesh launcher (tools/mesh/services.py) passes the same variable to every service it starts. Importing
this module (or `services`) changes nothing. An operator's own value in the environment wins.
"""

from __future__ import annotations

import os
import sys

CIPHER_SUITES = "GRPC_SSL_CIPHER_SUITES"
TLS13_CIPHER_SUITES = "ECDHE-PSK-CHACHA20-POLY1305"
_tls13_only: bool | None = None  # what configure() found; None: not called in this process


def configure() -> bool:
    """Set GRPC_SSL_CIPHER_SUITES to the TLS 1.3-only list unless the environment has one; returns whether
    grpc in this process refuses TLS 1.2 (not when grpc was imported before without the list)."""
    global _tls13_only
    if _tls13_only is None:
        _tls13_only = os.environ.get(CIPHER_SUITES, TLS13_CIPHER_SUITES) == TLS13_CIPHER_SUITES and (
            CIPHER_SUITES in os.environ or "grpc" not in sys.modules
        )
        os.environ.setdefault(CIPHER_SUITES, TLS13_CIPHER_SUITES)
    return _tls13_only


def tls13_only() -> bool:
    """Whether grpc in this process was configured, before its import, to refuse TLS 1.2: as configure()
    found it, or, in a process that never called it, as the environment says (the process inherited it)."""
    if _tls13_only is not None:
        return _tls13_only
    return os.environ.get(CIPHER_SUITES) == TLS13_CIPHER_SUITES
