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
    """Whether `fintech.<domain>.v1` defines a gRPC service (analytics' package holds messages only, lake has no
    package: both serve health alone)."""
    try:
        spec = importlib.util.find_spec(f"fintech.{domain}.v1")
    except ModuleNotFoundError:  # no `fintech.<domain>` parent package either
        return False
    if spec is None or spec.submodule_search_locations is None:
        return False
    return any(info.name.endswith("_service_pb2") for info in pkgutil.iter_modules(spec.submodule_search_locations))
