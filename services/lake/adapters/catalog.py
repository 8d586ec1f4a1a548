"""The lake's Iceberg catalog and the schemas of its event tables.

A pyiceberg `SqlCatalog` named `fintech` on the lake's own PostgreSQL database: its tables (iceberg_tables,
iceberg_namespace_properties) are the Java JdbcCatalog's, so Spark's Iceberg JDBC catalog reads the same catalog.
Data and metadata files live under s3://<bucket>/warehouse on the object store.

One table per domain topic, `events.<domain>` (fintech.<domain>.events.v1): one writer per table (the sink's
consumer of that topic), so appends never conflict, and a new event type needs no new table. Partitioned by
the day of the event.
"""

from __future__ import annotations

import contextlib

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, TableAlreadyExistsError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import DayTransform
from pyiceberg.types import IntegerType, LongType, NestedField, StringType, TimestamptzType

from services.runtime.config import Settings

# The domains whose topics the lake keeps, one table each (namespace `events`).
DOMAINS = ("customer", "payments", "risk", "ml", "features")
EVENTS_NAMESPACE = "events"
# Spark's job outputs and the platform's own records (lineage, reconciliation).
ANALYTICS_NAMESPACE = "analytics"
GOVERNANCE_NAMESPACE = "governance"

EVENT_SCHEMA = Schema(
    NestedField(1, "event_id", StringType(), required=True),
    # The full proto name: fintech.payments.v1.PaymentExecuted.
    NestedField(2, "event_type", StringType(), required=False),
    NestedField(3, "aggregate_type", StringType(), required=False),
    # The aggregate's id.
    NestedField(4, "subject", StringType(), required=False),
    NestedField(5, "sequence", LongType(), required=False),
    NestedField(6, "occur_time", TimestamptzType(), required=False),
    # The SPIFFE id of the service that wrote it.
    NestedField(7, "source", StringType(), required=False),
    NestedField(8, "correlation_id", StringType(), required=False),
    NestedField(9, "causation_id", StringType(), required=False),
    NestedField(10, "kafka_partition", IntegerType(), required=False),
    NestedField(11, "kafka_offset", LongType(), required=False),
    # The decoded event as JSON (proto field names); sealed fields stay SealedValue messages.
    NestedField(12, "payload", StringType(), required=False),
)
EVENT_PARTITION_SPEC = PartitionSpec(
    PartitionField(source_id=6, field_id=1000, transform=DayTransform(), name="occur_time_day")
)


def topic_of(domain: str) -> str:
    return f"fintech.{domain}.events.v1"


def table_name(domain: str) -> str:
    return f"{EVENTS_NAMESPACE}.{domain}"


def warehouse(settings: Settings) -> str:
    return f"s3://{settings.object_store.bucket}/{settings.lake.warehouse_prefix}"


def catalog_uri(settings: Settings, *, driver: str = "postgresql+psycopg2") -> str:
    """The SQLAlchemy URL of the lake database for pyiceberg (a synchronous driver)."""
    pg = settings.postgres
    return f"{driver}://{pg.user}:{pg.password}@{pg.host}:{pg.port}/lake"


def s3_properties(settings: Settings) -> dict[str, str]:
    """pyiceberg's FileIO properties for the object store (path-style: the bucket is in the path)."""
    o = settings.object_store
    return {
        "s3.endpoint": o.url,
        "s3.access-key-id": o.access_key,
        "s3.secret-access-key": o.secret_key,
        "s3.region": o.region,
        "s3.path-style-access": "true",
    }


def open_catalog(settings: Settings) -> Catalog:
    """The `fintech` catalog (its SQL tables are created on first use)."""
    return SqlCatalog(
        settings.lake.catalog,
        uri=catalog_uri(settings),
        warehouse=warehouse(settings),
        **s3_properties(settings),
    )


def ensure_namespaces(catalog: Catalog) -> None:
    for namespace in (EVENTS_NAMESPACE, ANALYTICS_NAMESPACE, GOVERNANCE_NAMESPACE):
        with contextlib.suppress(NamespaceAlreadyExistsError):
            catalog.create_namespace(namespace)


def ensure_event_table(catalog: Catalog, domain: str) -> Table:
    """`events.<domain>`, created with the shared schema and partition spec when missing."""
    try:
        return catalog.create_table(table_name(domain), schema=EVENT_SCHEMA, partition_spec=EVENT_PARTITION_SPEC)
    except TableAlreadyExistsError:
        return catalog.load_table(table_name(domain))


def ensure_event_tables(catalog: Catalog) -> dict[str, Table]:
    """Every namespace and every `events.<domain>` table (idempotent: several processes may race)."""
    ensure_namespaces(catalog)
    return {domain: ensure_event_table(catalog, domain) for domain in DOMAINS}
