"""The generated modules of a domain's gRPC services, found once for the server and the clients."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType


def service_modules(domain: str, suffix: str = "_service_pb2") -> list[ModuleType]:
    """`fintech.<domain>.v1.*<suffix>` modules: `_service_pb2` (descriptors) or `_service_pb2_grpc` (stubs).
    None for a service with no gRPC API of its own (lake: it serves health alone)."""
    if not has_contracts(domain):
        return []
    package = importlib.import_module(f"fintech.{domain}.v1")
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.endswith(suffix)
    ]


def has_contracts(domain: str) -> bool:
    """Whether `fintech.<domain>.v1` exists (a service without a gRPC API of its own has no package)."""
    try:
        return importlib.util.find_spec(f"fintech.{domain}.v1") is not None
    except ModuleNotFoundError:  # no `fintech.<domain>` parent package either
        return False
