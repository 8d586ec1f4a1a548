"""The RPCs of the contracts, read from the committed descriptor set (what Envoy and the services load)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from fintech.common.v1 import access_pb2
from google.api import annotations_pb2, visibility_pb2
from google.protobuf import descriptor_pb2

from services.runtime.access import Rule
from services.runtime.config import ROOT

DESCRIPTOR_SET = ROOT / "gen" / "descriptors" / "fintech.binpb"
# What every service serves besides its contracts (services/runtime/server.py): health and reflection.
HEALTH = ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch")
REFLECTION = (
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
)


@dataclass(frozen=True)
class Rpc:
    path: str  # /fintech.payments.v1.PaymentInitiationService/InitiatePayment
    workload: str | None  # the service that serves it; None for health and reflection (every service)
    public: bool  # has a google.api.http rule: the REST edge exposes it
    internal: bool  # (google.api.method_visibility).restriction INTERNAL
    access: Rule | None = None  # (fintech.common.v1.access): the end-user roles that may call it
    read_only: bool = False  # idempotency_level NO_SIDE_EFFECTS

    @property
    def label(self) -> str:
        """`PaymentInitiationService/InitiatePayment`; `grpc.health.v1.Health/Check` stays whole."""
        service, method = self.path[1:].split("/")
        return f"{service.rsplit('.', 1)[-1]}/{method}" if self.workload else f"{service}/{method}"


def contract_rpcs(descriptor_set: Path = DESCRIPTOR_SET) -> list[Rpc]:
    """Every RPC of the fintech.* packages, in descriptor order."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    rpcs = []
    for file in files:
        if not file.package.startswith("fintech."):
            continue
        for service in file.service:
            for method in service.method:
                options = method.options
                visibility = options.Extensions[visibility_pb2.method_visibility].restriction
                rpcs.append(
                    Rpc(
                        path=f"/{file.package}.{service.name}/{method.name}",
                        workload=file.package.split(".")[1],
                        public=options.HasExtension(annotations_pb2.http),
                        internal="INTERNAL" in {part.strip() for part in visibility.split(",")},
                        # the generated stub types an extension as a plain FieldDescriptor (see services.runtime.access)
                        access=Rule.from_proto(options.Extensions[access_pb2.access])  # type: ignore[index]
                        if options.HasExtension(access_pb2.access)  # type: ignore[arg-type]
                        else None,
                        read_only=options.idempotency_level == descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS,
                    )
                )
    return rpcs


def load_generated_services() -> None:
    """Import every generated service module, so their descriptors (and access rules) are in the default pool."""
    generated = ROOT / "gen" / "python"
    for module in sorted(generated.glob("fintech/*/v1/*_service_pb2.py")):
        importlib.import_module(".".join(module.relative_to(generated).with_suffix("").parts))


def served_rpcs(descriptor_set: Path = DESCRIPTOR_SET) -> list[Rpc]:
    """The contracts' RPCs plus the health and reflection services every server adds."""
    runtime = [Rpc(path, None, public=False, internal=False) for path in (*HEALTH, *REFLECTION)]
    return [*contract_rpcs(descriptor_set), *runtime]
