"""ModelRegistryService: model versions in PostgreSQL, promotion gated by metric thresholds, governance reports.

On startup the service registers every model version found in the Triton repository (models/<name>/<v>/
with a metrics.json written by `make models`) that the registry lacks, with its bias report and drift
baseline, and promotes version 1 to PRODUCTION when its metrics pass.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import drift_report_pb2 as drift_pb
from fintech.ml.v1 import events_pb2, feature_value_pb2, model_registry_service_pb2_grpc
from fintech.ml.v1 import model_registry_service_pb2 as reg
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import empty_pb2, timestamp_pb2
from google.protobuf.message import Message
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.ml import governance
from services.ml.models import ModelVersionRow, bias_reports, drift_reports, model_versions, served_feature_bins
from services.runtime import access, outbox, paging, secret_keys
from services.runtime.config import ROOT, Settings
from services.runtime.db import Database
from services.runtime.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from services.runtime.validation import Violation

log = structlog.get_logger("ml.registry")

S = mv.ModelStage
E = TypeVar("E", bound=Message)
AT_LEAST, AT_MOST = mv.THRESHOLD_COMPARISON_AT_LEAST, mv.THRESHOLD_COMPARISON_AT_MOST
# What each stage requires of a version's validation metrics (ARCHIVED: nothing).
STAGE_THRESHOLDS: dict[int, list[tuple[str, int, float]]] = {
    S.MODEL_STAGE_SHADOW: [("roc_auc", AT_LEAST, 0.6)],
    S.MODEL_STAGE_CANARY: [("roc_auc", AT_LEAST, 0.75), ("expected_calibration_error", AT_MOST, 0.1)],
    S.MODEL_STAGE_PRODUCTION: [
        ("roc_auc", AT_LEAST, 0.75),
        ("expected_calibration_error", AT_MOST, 0.05),
        ("brier_score", AT_MOST, 0.25),
    ],
    S.MODEL_STAGE_ARCHIVED: [],
}
SERVING_STAGES = (S.MODEL_STAGE_SHADOW, S.MODEL_STAGE_CANARY, S.MODEL_STAGE_PRODUCTION)
DEFAULT_PAGE_SIZE = 50


def now_ts() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


def etag(version: mv.ModelVersion) -> str:
    state = f"{version.stage}:{version.canary_traffic_percent}:{version.stage_change_time.ToNanoseconds()}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def with_etag(version: mv.ModelVersion) -> mv.ModelVersion:
    version.etag = etag(version)
    return version


def metric_checks(version: mv.ModelVersion, stage: int) -> list[mv.MetricCheck]:
    checks = []
    metrics = version.validation_metrics
    for name, comparison, threshold in STAGE_THRESHOLDS.get(stage, []):
        value = metrics.extra_metrics[name] if name in metrics.extra_metrics else getattr(metrics, name)
        passed = value >= threshold if comparison == AT_LEAST else value <= threshold
        checks.append(
            mv.MetricCheck(metric=name, value=value, threshold=threshold, comparison=comparison, passed=passed)
        )
    return checks


def project(event_type: type[E], source: Message, **values: Any) -> E:
    """An event carrying the fields of `source` that it names alike (its projection), then `values`."""
    fields = {}
    for field in event_type.DESCRIPTOR.fields:
        own = source.DESCRIPTOR.fields_by_name.get(field.name)
        if own is None or field.name in values:
            continue
        if own.message_type is not None and not own.is_repeated and not source.HasField(field.name):
            continue
        fields[field.name] = getattr(source, field.name)
    return event_type(**fields, **values)


def metric_field(name: str) -> str:
    return (
        f"validation_metrics.{name}"
        if name in mv.ValidationMetrics.DESCRIPTOR.fields_by_name
        else (f"validation_metrics.extra_metrics[{name}]")
    )


ReadyCheck = Callable[[str, str], Awaitable[bool]]


@dataclass
class StoredVersion:
    id: uuid.UUID
    version: mv.ModelVersion
    baseline: dict | None


class Registry:
    """The registry's data and rules; the servicer and the serving service share one."""

    def __init__(self, database: Database, settings: Settings, is_ready: ReadyCheck) -> None:
        self.database = database
        self.settings = settings
        self.source = settings.spiffe_id("ml")
        self.is_ready = is_ready
        self.generation = 0  # bumped on every stage change: serving's route cache follows it

    # ---- reads ----
    async def get(self, session: AsyncSession, name: str, version: str, *, lock: bool = False) -> StoredVersion:
        query = select(model_versions).where(
            model_versions.c.model_name == name, model_versions.c.version == int(version)
        )
        row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None:
            raise NotFound(
                f"model {name!r} has no version {version}",
                reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND,
                metadata={"model_name": name, "model_version": version},
            )
        return StoredVersion(row.id, with_etag(mv.ModelVersion.FromString(row.body)), row.drift_baseline)

    async def versions(self, session: AsyncSession, name: str, stages: tuple[int, ...] = ()) -> list[mv.ModelVersion]:
        query = select(model_versions.c.body).where(model_versions.c.model_name == name)
        if stages:
            query = query.where(model_versions.c.stage.in_(stages))
        rows = (await session.execute(query.order_by(model_versions.c.create_time.desc(), model_versions.c.id))).all()
        return [with_etag(mv.ModelVersion.FromString(r.body)) for r in rows]

    async def exists(self, session: AsyncSession, name: str) -> bool:
        return bool(await session.scalar(select(func.count()).where(model_versions.c.model_name == name)))

    # ---- writes ----
    async def register(
        self,
        name: str,
        version: mv.ModelVersion,
        created_by: str,
        *,
        baseline: dict | None = None,
        bias: bias_pb.BiasReport | None = None,
    ) -> mv.ModelVersion:
        async with self.database.transaction() as session:
            existing = await session.scalar(
                select(model_versions.c.id).where(
                    model_versions.c.model_name == name, model_versions.c.version == int(version.version)
                )
            )
            if existing is not None:
                raise AlreadyExists(
                    f"model {name!r} already has version {version.version}",
                    metadata={"model_version_id": str(existing)},
                )
            stored = mv.ModelVersion()
            stored.CopyFrom(version)
            stored.model_version_id = str(uuid.uuid4())
            stored.model_name = name
            stored.stage = S.MODEL_STAGE_REGISTERED
            stored.canary_traffic_percent = 0
            stored.created_by = created_by
            stored.create_time.CopyFrom(now_ts())
            stored.stage_change_time.CopyFrom(stored.create_time)
            stored.ClearField("etag")
            await session.execute(
                insert(model_versions).values(
                    id=uuid.UUID(stored.model_version_id),
                    model_name=name,
                    version=int(stored.version),
                    stage=stored.stage,
                    body=stored.SerializeToString(),
                    drift_baseline=baseline,
                )
            )
            await outbox.record(
                session,
                project(events_pb2.ModelVersionRegistered, stored, model_version=stored.version),
                subject=stored.model_version_id,
                sequence=1,
                source=self.source,
            )
            if bias is not None:
                await self._store_bias(session, stored, bias)
        return with_etag(stored)

    async def _store_bias(self, session: AsyncSession, version: mv.ModelVersion, bias: bias_pb.BiasReport) -> None:
        bias.bias_report_id = str(uuid.uuid4())
        bias.model_version_id = version.model_version_id
        bias.model_name = version.model_name
        bias.model_version = version.version
        bias.generate_time.CopyFrom(now_ts())
        await session.execute(
            insert(bias_reports).values(
                id=uuid.UUID(bias.bias_report_id),
                model_version_id=uuid.UUID(version.model_version_id),
                body=bias.SerializeToString(),
            )
        )
        await outbox.record(
            session,
            project(events_pb2.BiasReportGenerated, bias),
            subject=version.model_version_id,
            sequence=2,
            source=self.source,
        )

    async def latest_bias(self, session: AsyncSession, version_id: str) -> bias_pb.BiasReport | None:
        body = await session.scalar(
            select(bias_reports.c.body)
            .where(bias_reports.c.model_version_id == uuid.UUID(version_id))
            .order_by(bias_reports.c.generate_time.desc())
            .limit(1)
        )
        return bias_pb.BiasReport.FromString(body) if body is not None else None

    async def promote(
        self, request: reg.PromoteModelVersionRequest, promoted_by: str
    ) -> reg.PromoteModelVersionResponse:
        target = request.target_stage
        if target == S.MODEL_STAGE_CANARY and not 1 <= request.canary_traffic_percent <= 99:
            raise InvalidArgument(
                "a canary needs a traffic share from 1 to 99 percent",
                violations=[Violation("canary_traffic_percent", "must be 1 to 99 for CANARY")],
            )
        if target != S.MODEL_STAGE_CANARY and request.canary_traffic_percent:
            raise InvalidArgument(
                "only a canary has a traffic share",
                violations=[Violation("canary_traffic_percent", "must be 0 unless the target stage is CANARY")],
            )
        async with self.database.transaction() as session:
            stored = await self.get(session, request.model_name, request.model_version, lock=True)
            version = stored.version
            if request.etag and request.etag != version.etag:
                raise Aborted(f"version {version.version} changed since it was read", metadata={"etag": version.etag})
            if promoted_by.startswith("user:") and version.created_by == promoted_by:  # people, not the bootstrap
                raise PermissionDenied("four eyes: the person who registered a version may not promote it")
            previous = version.stage
            if previous == target and target != S.MODEL_STAGE_CANARY:
                raise FailedPrecondition(
                    f"version {version.version} is already {S.Name(target)}",
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                )
            if previous == S.MODEL_STAGE_PRODUCTION:
                raise FailedPrecondition(
                    "the production version leaves PRODUCTION only when another version replaces it",
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                )
            checks = metric_checks(version, target)
            violations = [
                Violation(
                    metric_field(c.metric),
                    f"{c.metric} is {c.value:.4f}; {S.Name(target)} needs "
                    f"{'at least' if c.comparison == AT_LEAST else 'at most'} {c.threshold}",
                )
                for c in checks
                if not c.passed
            ]
            if target == S.MODEL_STAGE_PRODUCTION:
                bias = await self.latest_bias(session, version.model_version_id)
                if bias is None or bias.verdict == bias_pb.FOUR_FIFTHS_VERDICT_FAIL:
                    violations.append(
                        Violation(
                            "bias_report", "no bias report" if bias is None else "the bias report fails four-fifths"
                        )
                    )
            if violations:
                raise FailedPrecondition(
                    f"version {version.version} does not meet the thresholds of {S.Name(target)}",
                    reason=ErrorReason.ERROR_REASON_PROMOTION_BLOCKED,
                    violations=violations,
                )
            if target in SERVING_STAGES and not await self.is_ready(version.model_name, version.version):
                raise Unavailable(
                    f"the inference server has not loaded {version.model_name} version {version.version}",
                    reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
                )
            replaced = ""
            if target in (S.MODEL_STAGE_PRODUCTION, S.MODEL_STAGE_CANARY):
                for other in await self.versions(session, version.model_name, (target,)):
                    if other.version == version.version:
                        continue
                    replaced = other.version
                    await self._move(session, other, S.MODEL_STAGE_ARCHIVED, 0, promoted_by,
                                     f"replaced by version {version.version}", [], "")  # fmt: skip
            await self._move(
                session, version, target, request.canary_traffic_percent, promoted_by, request.reason, checks, replaced
            )
        self.generation += 1
        return reg.PromoteModelVersionResponse(
            model_version=with_etag(version), previous_stage=previous, metric_checks=checks,
            replaced_model_version=replaced,
        )  # fmt: skip

    async def _move(
        self,
        session: AsyncSession,
        version: mv.ModelVersion,
        stage: int,
        percent: int,
        by: str,
        reason: str,
        checks: list[mv.MetricCheck],
        replaced: str,
    ) -> None:
        previous = version.stage
        version.stage = stage
        version.canary_traffic_percent = percent
        version.stage_change_time.CopyFrom(now_ts())
        version.ClearField("etag")
        await session.execute(
            update(model_versions)
            .where(model_versions.c.id == uuid.UUID(version.model_version_id))
            .values(stage=stage, body=version.SerializeToString())
        )
        await outbox.record(
            session,
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
            source=self.source,
        )

    async def drift_report(self, name: str, version: str) -> drift_pb.DriftReport:
        async with self.database.transaction() as session:
            stored = await self.get(session, name, version)
            if not stored.baseline:
                raise NotFound("the version has no registered training baseline", metadata={"model_version": version})
            rows = (
                await session.execute(
                    select(served_feature_bins).where(served_feature_bins.c.model_version_id == stored.id)
                )
            ).all()
            counts: dict[str, dict[int, int]] = {}
            first = last = None
            for row in rows:
                counts.setdefault(row.feature_name, {})[row.bucket] = row.count
                first = row.first_served_at if first is None else min(first, row.first_served_at)
                last = row.last_served_at if last is None else max(last, row.last_served_at)
            v = stored.version
            report = drift_pb.DriftReport(
                drift_report_id=str(uuid.uuid4()),
                model_version_id=v.model_version_id,
                model_name=name,
                model_version=version,
                baseline_window=v.training_data.window,
                baseline_count=v.training_data.row_count,
                moderate_threshold=governance.MODERATE_PSI,
                significant_threshold=governance.SIGNIFICANT_PSI,
                generate_time=now_ts(),
            )
            if first is not None:
                report.current_window.start_time.FromDatetime(first)
                report.current_window.end_time.FromDatetime(last)
            names = [f.feature_name for f in v.signature.input_features]
            verdicts = []
            for feature in [*names, "score"]:
                base = stored.baseline.get(feature)
                if base is None:
                    continue
                edges = base["edges"]
                current_counts = [counts.get(feature, {}).get(i, 0) for i in range(len(edges) + 2)]
                total = sum(current_counts)
                current = governance.shares(current_counts)
                terms = governance.psi_terms(base["shares"], current)
                value = sum(terms)
                verdict = governance.drift_verdict(value, total)
                drift = drift_pb.FeatureDrift(
                    feature_name=feature,
                    population_stability_index=value,
                    verdict=drift_pb.DriftVerdict.Value(f"DRIFT_VERDICT_{verdict}"),
                )
                bounds = [float("-inf"), *edges, float("inf")]
                for i, term in enumerate(terms):
                    bucket = drift.buckets.add(baseline_share=base["shares"][i], current_share=current[i],
                                               psi_contribution=term)  # fmt: skip
                    if i == len(edges) + 1:
                        bucket.missing.CopyFrom(empty_pb2.Empty())
                    else:
                        bucket.numeric_range.lower_bound = bounds[i]
                        bucket.numeric_range.upper_bound = bounds[i + 1]
                report.current_count = max(report.current_count, total)
                if feature == "score":
                    report.score_drift.CopyFrom(drift)
                else:
                    report.features.append(drift)
                verdicts.append(verdict)
            order = ["SIGNIFICANT", "MODERATE", "STABLE"]
            worst = next((o for o in order if o in verdicts), "INSUFFICIENT_DATA")
            report.verdict = drift_pb.DriftVerdict.Value(f"DRIFT_VERDICT_{worst}")
            await session.execute(
                insert(drift_reports).values(
                    id=uuid.UUID(report.drift_report_id), model_version_id=stored.id, body=report.SerializeToString()
                )
            )
            if worst in ("MODERATE", "SIGNIFICANT"):
                drifted = sorted(
                    (f for f in report.features if f.verdict in (drift_pb.DRIFT_VERDICT_MODERATE,
                                                                 drift_pb.DRIFT_VERDICT_SIGNIFICANT)),
                    key=lambda f: -f.population_stability_index,
                )  # fmt: skip
                await outbox.record(
                    session,
                    project(events_pb2.ModelDriftDetected, report, stage=v.stage, drifted_features=drifted),
                    subject=v.model_version_id,
                    sequence=int(datetime.now(UTC).timestamp() * 1e6),
                    source=self.source,
                )
        return report


class ModelRegistry(model_registry_service_pb2_grpc.ModelRegistryServiceServicer):
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        # FINTECH_ML__PAGE_TOKEN_KEY in a cluster, the same for every replica
        self.page_key = secret_keys.secret_key(registry.settings, "FINTECH_ML__PAGE_TOKEN_KEY", "ml-page-token.key")

    def _caller(self, context) -> str:
        return access.actor(context, self.registry.settings)

    async def RegisterModelVersion(self, request, context):
        version = await self.registry.register(request.model_name, request.model_version, self._caller(context))
        return reg.RegisterModelVersionResponse(model_version=version)

    async def RetrieveModelVersion(self, request, context):
        async with self.registry.database.session() as session:
            stored = await self.registry.get(session, request.model_name, request.model_version)
        return reg.RetrieveModelVersionResponse(model_version=stored.version)

    async def ListModelVersions(self, request, context):
        """Newest first (create time, then id): a keyset page with a signed token bound to the request's
        filters and caller (services.runtime.paging); a token this list did not issue is INVALID_ARGUMENT."""
        row = ModelVersionRow
        query = select(row).where(row.model_name == request.model_name)
        if request.stage:
            query = query.where(row.stage == request.stage)
        fingerprint = paging.request_fingerprint(request, self._caller(context))
        async with self.registry.database.session() as session:
            if not await self.registry.exists(session, request.model_name):
                raise NotFound(f"no model {request.model_name!r}", reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND)
            try:
                rows, token = await paging.keyset_page(
                    session, query, (row.create_time, row.id), request, self.page_key, fingerprint,
                    descending=True, default_size=DEFAULT_PAGE_SIZE,
                )  # fmt: skip
            except InvalidArgument as error:
                error.violations.append(Violation("page_token", error.message))
                raise
        page = [with_etag(mv.ModelVersion.FromString(r.body)) for r in rows]
        return reg.ListModelVersionsResponse(model_versions=page, next_page_token=token)

    async def PromoteModelVersion(self, request, context):
        return await self.registry.promote(request, self._caller(context))

    async def RetrieveBiasReport(self, request, context):
        async with self.registry.database.session() as session:
            stored = await self.registry.get(session, request.model_name, request.model_version)
            query = select(bias_reports.c.body).where(bias_reports.c.model_version_id == stored.id)
            if request.bias_report_id:
                query = query.where(bias_reports.c.id == uuid.UUID(request.bias_report_id))
            body = await session.scalar(query.order_by(bias_reports.c.generate_time.desc()).limit(1))
        if body is None:
            raise NotFound("no such bias report")
        return reg.RetrieveBiasReportResponse(bias_report=bias_pb.BiasReport.FromString(body))

    async def RetrieveDriftReport(self, request, context):
        if request.drift_report_id:
            async with self.registry.database.session() as session:
                stored = await self.registry.get(session, request.model_name, request.model_version)
                body = await session.scalar(
                    select(drift_reports.c.body).where(
                        drift_reports.c.model_version_id == stored.id,
                        drift_reports.c.id == uuid.UUID(request.drift_report_id),
                    )
                )
            if body is None:
                raise NotFound("no such drift report")
            return reg.RetrieveDriftReportResponse(drift_report=drift_pb.DriftReport.FromString(body))
        # The latest report is generated on request, from what was served until now.
        report = await self.registry.drift_report(request.model_name, request.model_version)
        return reg.RetrieveDriftReportResponse(drift_report=report)


# ---- the models of the repository ---------------------------------------------------------------------------------


def version_from_record(record: dict, directory: Path) -> tuple[mv.ModelVersion, dict, bias_pb.BiasReport]:
    """A ModelVersion, its drift baseline and its bias report from a metrics.json written by `make models`."""
    name = record["model_name"]
    signature = mv.ModelSignature(class_labels=record["class_labels"])
    for f in record["input_features"]:
        signature.input_features.add(
            feature_name=f["feature_name"],
            value_type=feature_value_pb2.FeatureValueType.Value(f"FEATURE_VALUE_TYPE_{f['value_type']}"),
            allow_missing=f["allow_missing"],
            currency_code=f["currency_code"],
            description=f["description"],
        )
    tensor_specs = (
        (signature.input_tensors, record["input_tensors"]),
        (signature.output_tensors, record["output_tensors"]),
    )
    for tensors, specs in tensor_specs:
        for t in specs:
            data_type = mv.TensorDataType.Value(f"TENSOR_DATA_TYPE_{t['data_type']}")
            tensors.add(tensor_name=t["tensor_name"], data_type=data_type, dims=t["dims"])

    def window(w: dict) -> mv.TimeWindow:
        out = mv.TimeWindow()
        out.start_time.FromJsonString(w["start_time"])
        out.end_time.FromJsonString(w["end_time"])
        return out

    data, metrics = record["training_data"], record["validation_metrics"]
    relative = directory.relative_to(ROOT / "models") if directory.is_relative_to(ROOT / "models") else directory
    version = mv.ModelVersion(
        version=record["version"],
        artifact_uri=f"triton://models/{relative.as_posix()}/",
        artifact_digest=record["artifact_digest"],
        model_format=mv.MODEL_FORMAT_ONNX,
        framework=record["framework"][:128],
        signature=signature,
        decision_threshold=record["decision_threshold"],
        training_data=mv.TrainingData(
            window=window(data["window"]), row_count=data["row_count"], positive_rate=data["positive_rate"],
            dataset_uri=data["dataset_uri"],
        ),
        validation_metrics=mv.ValidationMetrics(
            roc_auc=metrics["roc_auc"], average_precision=metrics["average_precision"],
            brier_score=metrics["brier_score"], expected_calibration_error=metrics["expected_calibration_error"],
            ks_statistic=metrics["ks_statistic"], extra_metrics=metrics["extra_metrics"],
            row_count=metrics["row_count"], window=window(metrics["window"]),
        ),
        model_card=(directory / "model_card.md").read_text()[:65536] if (directory / "model_card.md").exists() else "",
        description=f"{name} version {record['version']}, trained by make models",
    )  # fmt: skip
    b = record["bias_report"]
    bias = bias_pb.BiasReport(
        data_source=bias_pb.BiasDataSource.Value(f"BIAS_DATA_SOURCE_{b['data_source']}"),
        window=window(metrics["window"]),
        decision_threshold=b["decision_threshold"],
        four_fifths_threshold=b["four_fifths_threshold"],
        min_group_size=b["min_group_size"],
        verdict=bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{b['verdict']}"),
    )
    for a in b["attributes"]:
        attribute = bias.attributes.add(
            attribute=a["attribute"], reference_group=a["reference_group"],
            min_disparate_impact_ratio=a["min_disparate_impact_ratio"],
            verdict=bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{a['verdict']}"),
        )  # fmt: skip
        for g in a["groups"]:
            attribute.groups.add(
                **{**g, "verdict": bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{g['verdict']}")}
            )
    return version, record["drift_baseline"], bias


async def register_repository(registry: Registry, repository: Path = ROOT / "models") -> None:
    """Register the repository's versions the registry lacks; promote each model's version 1 when it passes."""
    for metrics_file in sorted(repository.glob("*/[0-9]*/metrics.json")):
        record = json.loads(metrics_file.read_text())
        name = record["model_name"]
        version, baseline, bias = version_from_record(record, metrics_file.parent)
        try:
            await registry.register(name, version, registry.source, baseline=baseline, bias=bias)
            log.info("registry.registered", model=name, version=version.version)
        except AlreadyExists:
            async with registry.database.session() as session:
                stored = (await registry.get(session, name, version.version)).version
            if stored.artifact_digest != version.artifact_digest:  # versions are immutable: retrain as a new one
                log.error("registry.stale_version", model=name, version=version.version,
                          registered=stored.artifact_digest, repository=version.artifact_digest)  # fmt: skip
            continue
        if version.version != "1":
            continue
        request = reg.PromoteModelVersionRequest(
            model_name=name, model_version="1", target_stage=S.MODEL_STAGE_PRODUCTION,
            reason="initial version from the model repository (make models)",
        )  # fmt: skip
        try:
            await registry.promote(request, registry.source)
            log.info("registry.promoted", model=name, version="1")
        except (FailedPrecondition, Unavailable) as error:
            log.warning("registry.not_promoted", model=name, version="1", reason=error.message)
