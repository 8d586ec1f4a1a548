"""Every RPC handler of the five services is typed with its contract's request and response messages.

mypy --strict (make lint) makes every handler annotated; this test makes the annotations the contract's own: the
servicer classes under services/<name>/api are found by their generated base class, and each RPC's `request` and
return annotations must name the method's input and output messages (a plain `Message` or `Any` would pass mypy).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import grpc
import pytest
from google.protobuf.descriptor import ServiceDescriptor

SERVICES = ("customer", "payments", "risk", "ml", "features")


def servicer_classes() -> list[tuple[type, type, ServiceDescriptor]]:
    """(implementation, generated base, service descriptor) for every servicer in services/<name>/api."""
    found = []
    for name in SERVICES:
        package = importlib.import_module(f"services.{name}.api")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                for base in cls.__mro__[1:]:
                    if base.__module__.endswith("_pb2_grpc") and base.__name__.endswith("Servicer"):
                        messages = importlib.import_module(base.__module__.removesuffix("_grpc"))
                        descriptor = messages.DESCRIPTOR.services_by_name[base.__name__.removesuffix("Servicer")]
                        found.append((cls, base, descriptor))
    return found


SERVICERS = servicer_classes()


def test_every_service_has_its_servicers_in_api_and_they_implement_every_rpc():
    assert {cls.__module__.split(".")[1] for cls, _, _ in SERVICERS} == set(SERVICES)
    missing = [f"{cls.__name__}.{m.name}" for cls, base, d in SERVICERS for m in d.methods
               if getattr(cls, m.name) is getattr(base, m.name)]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "descriptor"), [(c, d) for c, _, d in SERVICERS], ids=lambda v: getattr(v, "__name__", "")
)
def test_each_rpc_handler_names_its_request_context_and_response(cls, descriptor):
    for method in descriptor.methods:
        handler = getattr(cls, method.name)
        hints = typing.get_type_hints(handler)
        where = f"{cls.__module__}.{cls.__name__}.{method.name}"
        assert hints["request"].DESCRIPTOR.full_name == method.input_type.full_name, where
        assert typing.get_origin(hints["context"]) is grpc.aio.ServicerContext, where
        assert hints["return"].DESCRIPTOR.full_name == method.output_type.full_name, where
