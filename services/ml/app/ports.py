"""What the ml use cases need from outside: the registry's database, the inference server, the recorder."""

from __future__ import annotations

import uuid
from collections import Counter
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import drift_report_pb2 as drift_pb
from fintech.ml.v1 import events_pb2
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf.message import Message

from services.ml.domain.drift import Baseline, ServedCounts
from services.ml.domain.serving import Rows, Scores

# Drift bins of served values: (model version id, feature name, bucket) -> served count.
Bins = Counter[tuple[uuid.UUID, str, int]]


@dataclass
class StoredVersion:
    id: uuid.UUID
    version: mv.ModelVersion
    baseline: Baseline | None


@dataclass(frozen=True)
class VersionPage:
    """A page of a model's versions (in `stage`, when set) as `caller` asked for it."""

    model_name: str
    stage: mv.ModelStage
    page_size: int
    page_token: str
    caller: str


@dataclass(frozen=True)
class ModelState:
    """What the inference server says of a loaded (or loading, failed...) model version."""

    state: str
    reason: str


class Versions(Protocol):
    """The registry's data within one session."""

    async def get(self, name: str, version: str, *, lock: bool = False) -> StoredVersion: ...

    async def versions(self, name: str, stages: tuple[mv.ModelStage, ...] = ()) -> list[mv.ModelVersion]: ...

    async def exists(self, name: str) -> bool: ...

    async def version_id(self, name: str, version: str) -> uuid.UUID | None: ...

    async def add(self, version: mv.ModelVersion, baseline: Baseline | None) -> None: ...

    async def save_stage(self, version: mv.ModelVersion) -> None: ...

    async def add_bias(self, bias: bias_pb.BiasReport) -> None: ...

    async def bias(self, stored_id: uuid.UUID, bias_report_id: str = "") -> bias_pb.BiasReport | None: ...

    async def drift(self, stored_id: uuid.UUID, drift_report_id: str) -> drift_pb.DriftReport | None: ...

    async def add_drift(self, stored_id: uuid.UUID, report: drift_pb.DriftReport) -> None: ...

    async def served(self, stored_id: uuid.UUID) -> ServedCounts: ...

    async def baseline(self, version_id: str) -> Baseline | None: ...

    async def record(self, event: Message, *, subject: str, sequence: int) -> None: ...


class Store(Protocol):
    """The registry's database: read sessions, transactions, pages of the version list."""

    source: str

    def reading(self) -> AbstractAsyncContextManager[Versions]: ...

    def transaction(self) -> AbstractAsyncContextManager[Versions]: ...

    async def page(self, request: VersionPage) -> tuple[list[mv.ModelVersion], str]: ...


class Inference(Protocol):
    """The inference server."""

    async def is_ready(self, name: str, version: str) -> bool: ...

    async def infer(self, name: str, version: mv.ModelVersion, rows: Rows, timeout: float) -> Scores: ...

    async def model_states(self) -> dict[tuple[str, str], ModelState]: ...


class Recorder(Protocol):
    """Stores what a call served (its events and drift bins); returns once they are committed."""

    async def record_served(self, events: list[events_pb2.PredictionServed], bins: Bins) -> None: ...
