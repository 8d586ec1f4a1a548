"""On startup the service registers every model version of the model repository that the registry lacks, with
its bias report and drift baseline, and promotes each model's version 1 to PRODUCTION when its metrics pass."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import structlog
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import model_version_pb2 as mv

from services.ml.app.registry import Registry
from services.ml.domain.drift import Baseline
from services.ml.domain.stages import S
from services.runtime.errors import AlreadyExists, FailedPrecondition, Unavailable

log = structlog.get_logger("ml.registry")


@dataclass(frozen=True)
class RepositoryVersion:
    """A version found in the model repository, with its drift baseline and bias report."""

    name: str
    version: mv.ModelVersion
    baseline: Baseline
    bias: bias_pb.BiasReport


async def register_repository(registry: Registry, found: Iterable[RepositoryVersion]) -> None:
    """Register the repository's versions the registry lacks; promote each model's version 1 when it passes."""
    for item in found:
        name, version = item.name, item.version
        try:
            await registry.register(name, version, registry.source, baseline=item.baseline, bias=item.bias)
            log.info("registry.registered", model=name, version=version.version)
        except AlreadyExists:
            stored = (await registry.retrieve(name, version.version)).version
            if stored.artifact_digest != version.artifact_digest:  # versions are immutable: retrain as a new one
                log.error("registry.stale_version", model=name, version=version.version,
                          registered=stored.artifact_digest, repository=version.artifact_digest)  # fmt: skip
            continue
        if version.version != "1":
            continue
        try:
            await registry.promote(
                name, "1", S.MODEL_STAGE_PRODUCTION, promoted_by=registry.source,
                reason="initial version from the model repository (make models)",
            )  # fmt: skip
            log.info("registry.promoted", model=name, version="1")
        except (FailedPrecondition, Unavailable) as error:
            log.warning("registry.not_promoted", model=name, version="1", reason=error.message)
