"""The bank's gRPC services, one package per domain, on one shared runtime (services.runtime)."""

import os as _os
import sys as _sys

# grpc core reads GRPC_SSL_CIPHER_SUITES once, when grpc is first imported, so it is set here: every
# service module is under this package and is imported before grpc. Why this list means TLS 1.3
# only: services/runtime/tls.py. An operator's own value in the environment wins.
TLS13_CIPHER_SUITES = "ECDHE-PSK-CHACHA20-POLY1305"
TLS13_ONLY = _os.environ.get("GRPC_SSL_CIPHER_SUITES", TLS13_CIPHER_SUITES) == TLS13_CIPHER_SUITES and (
    "GRPC_SSL_CIPHER_SUITES" in _os.environ or "grpc" not in _sys.modules
)
_os.environ.setdefault("GRPC_SSL_CIPHER_SUITES", TLS13_CIPHER_SUITES)
