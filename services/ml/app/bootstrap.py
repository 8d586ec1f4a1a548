"""On startup the service registers every model version of the model repository that the registry lacks, with
its bias report and drift baseline, and promotes each model's version 1 to PRODUCTION when its metrics pass, and a
challenger (`make models` marks it) to CANARY at 0 %: it serves only the calls that name it. Who is scored by the
challenger is the caller's experiment flag's decision (risk's `fraud-challenger-share`), never a registry share as
well: one source of truth for the split."""

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
    challenger: bool = False


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
        if version.version == "1":
            target, reason = S.MODEL_STAGE_PRODUCTION, "initial version from the model repository (make models)"
        elif item.challenger:
            target, reason = S.MODEL_STAGE_CANARY, "challenger from the model repository: served when a call names it"
        else:
            continue
        try:
            await registry.promote(name, version.version, target, promoted_by=registry.source, reason=reason)
            log.info("registry.promoted", model=name, version=version.version, stage=S.Name(target))
        except (FailedPrecondition, Unavailable) as error:
            log.warning("registry.not_promoted", model=name, version=version.version, reason=error.message)
