"""The ml service's database schema (one database per service; the runtime's tables included).

A model version is stored as its `fintech.ml.v1.ModelVersion` message (`body`), with the columns the
registry queries beside it; reports likewise. Served predictions are not stored: only the counts of
served feature values per drift bucket, from which drift reports are computed.
"""

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, Table, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from services.runtime.db import declarative_base

Base = declarative_base()

model_versions = Table(
    "model_versions",
    Base.metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("model_name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("stage", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),  # fintech.ml.v1.ModelVersion
    # The training distribution of every input and of the score: {"feature": {"edges": [...], "shares": [...]}}.
    Column("drift_baseline", JSONB, nullable=True),
    Column("create_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("model_name", "version"),
)

bias_reports = Table(
    "bias_reports",
    Base.metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("model_version_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("body", LargeBinary, nullable=False),  # fintech.ml.v1.BiasReport
    Column("generate_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

drift_reports = Table(
    "drift_reports",
    Base.metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("model_version_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("body", LargeBinary, nullable=False),  # fintech.ml.v1.DriftReport
    Column("generate_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

served_feature_bins = Table(
    "served_feature_bins",
    Base.metadata,
    Column("model_version_id", UUID(as_uuid=True), primary_key=True),
    Column("feature_name", Text, primary_key=True),  # `score` for the model's output
    Column("bucket", Integer, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("first_served_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_served_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


# The ORM class of the listed table: the runtime's keyset pager (services.runtime.paging) pages entities.
class ModelVersionRow(Base):  # type: ignore[misc,valid-type]  # Base is made at run time (declarative_base())
    __table__ = model_versions
