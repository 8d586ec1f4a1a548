"""The registry's queries: model versions, their bias and drift reports, the counts of what they served."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import drift_report_pb2 as drift_pb
from fintech.ml.v1 import model_registry_service_pb2 as reg
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf.message import Message
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.ml.adapters.db.tables import (
    ModelVersionRow,
    bias_reports,
    drift_reports,
    model_versions,
    served_feature_bins,
)
from services.ml.app.ports import StoredVersion, VersionPage
from services.ml.domain.drift import Baseline, ServedCounts
from services.ml.domain.stages import with_etag
from services.runtime import outbox, paging
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.validation import Violation

DEFAULT_PAGE_SIZE = 50


class Versions:
    """The queries of one session (a transaction's, or a read's)."""

    def __init__(self, session: AsyncSession, source: str) -> None:
        self.session = session
        self.source = source

    async def get(self, name: str, version: str, *, lock: bool = False) -> StoredVersion:
        query = select(model_versions).where(
            model_versions.c.model_name == name, model_versions.c.version == int(version)
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).one_or_none()
        if row is None:
            raise NotFound(
                f"model {name!r} has no version {version}",
                reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND,
                metadata={"model_name": name, "model_version": version},
            )
        return StoredVersion(row.id, with_etag(mv.ModelVersion.FromString(row.body)), row.drift_baseline)

    async def versions(self, name: str, stages: tuple[mv.ModelStage, ...] = ()) -> list[mv.ModelVersion]:
        """The model's versions (in `stages`, when given), newest first."""
        query = select(model_versions.c.body).where(model_versions.c.model_name == name)
        if stages:
            query = query.where(model_versions.c.stage.in_(stages))
        rows = (
            await self.session.execute(query.order_by(model_versions.c.create_time.desc(), model_versions.c.id))
        ).all()
        return [with_etag(mv.ModelVersion.FromString(r.body)) for r in rows]

    async def exists(self, name: str) -> bool:
        return bool(await self.session.scalar(select(func.count()).where(model_versions.c.model_name == name)))

    async def version_id(self, name: str, version: str) -> uuid.UUID | None:
        return cast(
            uuid.UUID | None,
            await self.session.scalar(
                select(model_versions.c.id).where(
                    model_versions.c.model_name == name, model_versions.c.version == int(version)
                )
            ),
        )

    async def add(self, version: mv.ModelVersion, baseline: Baseline | None) -> None:
        await self.session.execute(
            insert(model_versions).values(
                id=uuid.UUID(version.model_version_id),
                model_name=version.model_name,
                version=int(version.version),
                stage=version.stage,
                body=version.SerializeToString(),
                drift_baseline=baseline,
            )
        )

    async def save_stage(self, version: mv.ModelVersion) -> None:
        await self.session.execute(
            update(model_versions)
            .where(model_versions.c.id == uuid.UUID(version.model_version_id))
            .values(stage=version.stage, body=version.SerializeToString())
        )

    async def add_bias(self, bias: bias_pb.BiasReport) -> None:
        await self.session.execute(
            insert(bias_reports).values(
                id=uuid.UUID(bias.bias_report_id),
                model_version_id=uuid.UUID(bias.model_version_id),
                body=bias.SerializeToString(),
            )
        )

    async def bias(self, stored_id: uuid.UUID, bias_report_id: str = "") -> bias_pb.BiasReport | None:
        """The version's bias report `bias_report_id`, or its latest."""
        query = select(bias_reports.c.body).where(bias_reports.c.model_version_id == stored_id)
        if bias_report_id:
            query = query.where(bias_reports.c.id == uuid.UUID(bias_report_id))
        body = await self.session.scalar(query.order_by(bias_reports.c.generate_time.desc()).limit(1))
        return bias_pb.BiasReport.FromString(body) if body is not None else None

    async def drift(self, stored_id: uuid.UUID, drift_report_id: str) -> drift_pb.DriftReport | None:
        body = await self.session.scalar(
            select(drift_reports.c.body).where(
                drift_reports.c.model_version_id == stored_id, drift_reports.c.id == uuid.UUID(drift_report_id)
            )
        )
        return drift_pb.DriftReport.FromString(body) if body is not None else None

    async def add_drift(self, stored_id: uuid.UUID, report: drift_pb.DriftReport) -> None:
        await self.session.execute(
            insert(drift_reports).values(
                id=uuid.UUID(report.drift_report_id), model_version_id=stored_id, body=report.SerializeToString()
            )
        )

    async def served(self, stored_id: uuid.UUID) -> ServedCounts:
        rows = (
            await self.session.execute(
                select(served_feature_bins).where(served_feature_bins.c.model_version_id == stored_id)
            )
        ).all()
        served = ServedCounts({})
        for row in rows:
            served.counts.setdefault(row.feature_name, {})[row.bucket] = row._mapping[
                "count"
            ]  # `row.count` is a tuple method to mypy
            first, last = served.first_served, served.last_served
            served.first_served = row.first_served_at if first is None else min(first, row.first_served_at)
            served.last_served = row.last_served_at if last is None else max(last, row.last_served_at)
        return served

    async def baseline(self, version_id: str) -> Baseline | None:
        return cast(
            Baseline | None,
            await self.session.scalar(
                select(model_versions.c.drift_baseline).where(model_versions.c.id == uuid.UUID(version_id))
            ),
        )

    async def record(self, event: Message, *, subject: str, sequence: int) -> None:
        """An event of this transaction, to the outbox."""
        await outbox.record(self.session, event, subject=subject, sequence=sequence, source=self.source)


class ModelStore:
    """The registry's database: sessions of `Versions`, and the pages of the version list."""

    def __init__(self, database: Database, source: str, page_key: bytes) -> None:
        self.database = database
        self.source = source
        self.page_key = page_key

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Versions]:
        async with self.database.session() as session:
            yield Versions(session, self.source)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Versions]:
        async with self.database.transaction() as session:
            yield Versions(session, self.source)

    async def page(self, request: VersionPage) -> tuple[list[mv.ModelVersion], str]:
        """Newest first (create time, then id): a keyset page with a signed token bound to the request's
        filters and caller (services.runtime.paging); a token this list did not issue is INVALID_ARGUMENT."""
        listed = reg.ListModelVersionsRequest(
            model_name=request.model_name, stage=request.stage, page_size=request.page_size,
            page_token=request.page_token,
        )  # fmt: skip
        row = ModelVersionRow
        query = select(row).where(row.model_name == request.model_name)
        if request.stage:
            query = query.where(row.stage == request.stage)
        fingerprint = paging.request_fingerprint(listed, request.caller)
        async with self.database.session() as session:
            if not await Versions(session, self.source).exists(request.model_name):
                raise NotFound(f"no model {request.model_name!r}", reason=ErrorReason.ERROR_REASON_MODEL_NOT_FOUND)
            try:
                rows, token = await paging.keyset_page(
                    session, query, (row.create_time, row.id), listed, self.page_key, fingerprint,
                    descending=True, default_size=DEFAULT_PAGE_SIZE,
                )  # fmt: skip
            except InvalidArgument as error:
                error.violations.append(Violation("page_token", error.message))
                raise
        page: list[Any] = list(rows)
        return [with_etag(mv.ModelVersion.FromString(r.body)) for r in page], token
