"""Fixtures over the committed descriptor set: the same artifact Envoy and the services load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

# Register the option extensions before descriptor protos are parsed, so options decode.
from fintech.common.v1 import event_envelope_pb2  # noqa: F401
from google.api import annotations_pb2, field_behavior_pb2, visibility_pb2  # noqa: F401
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FileDescriptor
from validate import validate_pb2  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTOR_SET = ROOT / "gen" / "descriptors" / "fintech.binpb"
DOMAINS = ("common", "customer", "risk", "payments", "ml", "features")
# Packages of derived data with no service and no events of their own (the stream processor's aggregates).
DERIVED = ("analytics",)


@dataclass(frozen=True)
class Contracts:
    """The project's own files of a descriptor set (imports left out), with their pool."""

    pool: descriptor_pool.DescriptorPool
    protos: list[descriptor_pb2.FileDescriptorProto]

    @property
    def files(self) -> list[FileDescriptor]:
        return [self.pool.FindFileByName(p.name) for p in self.protos]

    def services(self):
        return [s for f in self.files for s in f.services_by_name.values()]


def load_contracts(path: Path = DESCRIPTOR_SET) -> Contracts:
    fds = descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes())
    # A pool of its own, so the test sees the artifact and not what the Python stubs registered.
    pool = descriptor_pool.DescriptorPool()
    for file_proto in fds.file:
        pool.Add(file_proto)
    own = [f for f in fds.file if f.package.startswith("fintech.")]
    return Contracts(pool, own)


@pytest.fixture(scope="session")
def contracts() -> Contracts:
    return load_contracts()
