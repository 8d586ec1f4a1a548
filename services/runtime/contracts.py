"""The generated modules of a domain's gRPC services, found once for the server and the clients."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def service_modules(domain: str, suffix: str = "_service_pb2") -> list[ModuleType]:
    """`fintech.<domain>.v1.*<suffix>` modules: `_service_pb2` (descriptors) or `_service_pb2_grpc` (stubs)."""
    package = importlib.import_module(f"fintech.{domain}.v1")
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.endswith(suffix)
    ]
