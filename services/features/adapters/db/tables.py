"""The features service's database schema (one database per service; the runtime's tables included).

- `feature_events`: append-only, one row per (entity, source event): what every feature is computed
  from, online (windows ending now) and point in time (windows ending at a past instant).
- `online_features`: one row per entity, updated with each event: the running totals, the last
  event's time and the entity's version (the sequence of its EntityFeaturesUpdated events, and of its row
  in the online store on Redis, which resyncs from here by `update_time`).
- `pipeline_progress`: the newest source event time the pipeline has applied (the watermark).
- `feature_erasures`: what each erasure request removed, so a repeated request answers the same.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

from services.runtime.db import declarative_base

Base = declarative_base()
metadata = Base.metadata

feature_events = Table(
    "feature_events",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("entity_type", SmallInteger, nullable=False),
    Column("entity_id", UUID(as_uuid=True), nullable=False),
    Column("customer_id", UUID(as_uuid=True), nullable=True),  # the payer, for erasure
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("payment_id", UUID(as_uuid=True), nullable=False),
    Column("occur_time", DateTime(timezone=True), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency_code", Text, nullable=False),
    Column("counterparty_id", UUID(as_uuid=True), nullable=True),
    Column("ingest_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("entity_type", "entity_id", "source_event_id"),
    Index("ix_feature_events_entity_time", "entity_type", "entity_id", "occur_time"),
    Index("ix_feature_events_customer_id", "customer_id"),
)

online_features = Table(
    "online_features",
    metadata,
    Column("entity_type", SmallInteger, primary_key=True),
    Column("entity_id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True), nullable=True),
    Column("payment_count", BigInteger, nullable=False),
    Column("amount_count", BigInteger, nullable=False),
    Column("amount_sum", Numeric, nullable=False),
    Column("amount_sum_squares", Numeric, nullable=False),
    Column("first_occur_time", DateTime(timezone=True), nullable=False),
    Column("last_occur_time", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_online_features_update_time", "update_time"),  # the online store's resync (adapters.online)
)

pipeline_progress = Table(
    "pipeline_progress",
    metadata,
    Column("pipeline", Text, primary_key=True),
    Column("watermark_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

feature_erasures = Table(
    "feature_erasures",
    metadata,
    Column("erasure_request_id", UUID(as_uuid=True), primary_key=True),
    Column("entity_type", SmallInteger, primary_key=True),
    Column("entity_id", UUID(as_uuid=True), primary_key=True),
    Column("online_value_count", BigInteger, nullable=False),
    Column("history_value_count", BigInteger, nullable=False),
    Column("erase_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_feature_erasures_erase_time", "erase_time"),
)
