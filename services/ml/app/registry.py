"""The model registry's use cases: register a version, promote it through the stages, its reports.

Versions are immutable once registered; a stage change is checked against the version's metrics (and bias
report) by services.ml.domain.stages and recorded with its event in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import drift_report_pb2 as drift_pb
from fintech.ml.v1 import events_pb2
from fintech.ml.v1 import model_version_pb2 as mv

from services.ml.app.ports import Store, StoredVersion, VersionPage, Versions
from services.ml.domain import stages
from services.ml.domain.drift import Baseline, drift_report, drifted, drifted_features
from services.ml.domain.events import project
from services.ml.domain.stages import S, now_ts, with_etag
from services.runtime.errors import AlreadyExists, NotFound, Unavailable

ReadyCheck = Callable[[str, str], Awaitable[bool]]


@dataclass(frozen=True)
class Promotion:
    """What a promotion did: the version in its new stage, the stage it left, its checks, whom it replaced."""

    version: mv.ModelVersion
    previous_stage: mv.ModelStage
    checks: list[mv.MetricCheck]
    replaced: str


class Registry:
    """The registry's data and rules; the registry's and the serving service's servicers share one."""

    def __init__(
        self, store: Store, is_ready: ReadyCheck, flush_served: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """`flush_served`: writes what this worker served and still counts in memory (before a drift report)."""
        self.store = store
        self.flush_served = flush_served
        self.source = store.source
        self.is_ready = is_ready
        self.generation = 0  # bumped on every stage change: serving's route cache follows it

    # ---- reads ----
    async def retrieve(self, name: str, version: str) -> StoredVersion:
        async with self.store.reading() as versions:
            return await versions.get(name, version)

    async def list_versions(self, page: VersionPage) -> tuple[list[mv.ModelVersion], str]:
        return await self.store.page(page)

    async def serving_versions(self, name: str) -> list[mv.ModelVersion]:
        """The model's versions in serving stages, newest first; NOT_FOUND for a model with no version."""
        async with self.store.reading() as versions:
            found = await versions.versions(name, stages.SERVING_STAGES)
            if not found and not await versions.exists(name):
                raise NotFound(f"no model {name!r}", reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND)
        return found

    async def baseline(self, version_id: str) -> Baseline | None:
        async with self.store.reading() as versions:
            return await versions.baseline(version_id)

    async def bias_report(self, name: str, version: str, bias_report_id: str) -> bias_pb.BiasReport:
        async with self.store.reading() as versions:
            stored = await versions.get(name, version)
            bias = await versions.bias(stored.id, bias_report_id)
        if bias is None:
            raise NotFound("no such bias report")
        return bias

    async def stored_drift_report(self, name: str, version: str, drift_report_id: str) -> drift_pb.DriftReport:
        async with self.store.reading() as versions:
            stored = await versions.get(name, version)
            report = await versions.drift(stored.id, drift_report_id)
        if report is None:
            raise NotFound("no such drift report")
        return report

    # ---- writes ----
    async def register(
        self,
        name: str,
        version: mv.ModelVersion,
        created_by: str,
        *,
        baseline: Baseline | None = None,
        bias: bias_pb.BiasReport | None = None,
    ) -> mv.ModelVersion:
        async with self.store.transaction() as versions:
            existing = await versions.version_id(name, version.version)
            if existing is not None:
                raise AlreadyExists(
                    f"model {name!r} already has version {version.version}",
                    metadata={"model_version_id": str(existing)},
                )
            stored = stages.new_version(name, version, created_by)
            await versions.add(stored, baseline)
            await versions.record(
                project(events_pb2.ModelVersionRegistered, stored, model_version=stored.version),
                subject=stored.model_version_id,
                sequence=1,
            )
            if bias is not None:
                await self._store_bias(versions, stored, bias)
        return with_etag(stored)

    async def _store_bias(self, versions: Versions, version: mv.ModelVersion, bias: bias_pb.BiasReport) -> None:
        bias.bias_report_id = str(uuid.uuid4())
        bias.model_version_id = version.model_version_id
        bias.model_name = version.model_name
        bias.model_version = version.version
        bias.generate_time.CopyFrom(now_ts())
        await versions.add_bias(bias)
        await versions.record(
            project(events_pb2.BiasReportGenerated, bias), subject=version.model_version_id, sequence=2
        )

    async def promote(
        self,
        name: str,
        number: str,
        target: mv.ModelStage,
        *,
        canary_traffic_percent: int = 0,
        read_etag: str = "",
        reason: str = "",
        promoted_by: str,
    ) -> Promotion:
        stages.check_traffic_share(target, canary_traffic_percent)
        async with self.store.transaction() as versions:
            version = (await versions.get(name, number, lock=True)).version
            stages.check_transition(version, target, read_etag, promoted_by)
            previous = version.stage
            checks = stages.metric_checks(version, target)
            bias = None
            if target == S.MODEL_STAGE_PRODUCTION:
                bias = await versions.bias(uuid.UUID(version.model_version_id))
            stages.check_thresholds(version, target, checks, bias)
            if target in stages.SERVING_STAGES and not await self.is_ready(version.model_name, version.version):
                raise Unavailable(
                    f"the inference server has not loaded {version.model_name} version {version.version}",
                    reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
                )
            replaced = ""
            if target in stages.EXCLUSIVE_STAGES:
                for other in await versions.versions(version.model_name, (target,)):
                    if other.version == version.version:
                        continue
                    replaced = other.version
                    await self._move(versions, other, S.MODEL_STAGE_ARCHIVED, 0, promoted_by,
                                     f"replaced by version {version.version}", [], "")  # fmt: skip
            await self._move(versions, version, target, canary_traffic_percent, promoted_by, reason, checks, replaced)
        self.generation += 1
        return Promotion(with_etag(version), previous, checks, replaced)

    async def _move(
        self,
        versions: Versions,
        version: mv.ModelVersion,
        stage: mv.ModelStage,
        percent: int,
        by: str,
        reason: str,
        checks: list[mv.MetricCheck],
        replaced: str,
    ) -> None:
        previous = stages.move(version, stage, percent)
        await versions.save_stage(version)
        await versions.record(
            project(
                events_pb2.ModelVersionPromoted,
                version,
                model_version=version.version,
                from_stage=previous,
                to_stage=stage,
                promoted_by=by,
                reason=reason,
                metric_checks=checks,
                replaced_model_version=replaced,
            ),  # fmt: skip
            subject=version.model_version_id,
            sequence=version.stage_change_time.ToNanoseconds() // 1000,
        )

    async def drift_report(self, name: str, version: str) -> drift_pb.DriftReport:
        """A new drift report of what the version served until now, stored; MODEL_DRIFT_DETECTED when it drifted."""
        if self.flush_served is not None:  # all this worker served; other workers' last seconds flush on their own
            await self.flush_served()
        async with self.store.transaction() as versions:
            stored = await versions.get(name, version)
            if not stored.baseline:
                raise NotFound("the version has no registered training baseline", metadata={"model_version": version})
            report = drift_report(stored.version, stored.baseline, await versions.served(stored.id))
            await versions.add_drift(stored.id, report)
            if drifted(report):
                await versions.record(
                    project(events_pb2.ModelDriftDetected, report, stage=stored.version.stage,
                            drifted_features=drifted_features(report)),
                    subject=stored.version.model_version_id,
                    sequence=int(datetime.now(UTC).timestamp() * 1e6),
                )  # fmt: skip
        return report
