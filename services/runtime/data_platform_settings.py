"""The data platform's sections of mesh.toml (the object store, the lake, its jobs, the file exchange and the
reconciliation), apart from config.py's so each module stays readable; `Settings` holds them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ObjectStoreSettings(BaseModel):
    """The S3 object store of the data platform (tools/mesh/object_store.py: versitygw locally, the bank's S3 in
    Kubernetes): one bucket, `bucket`, holding the lake (warehouse/) and the file exchange (exchange/)."""

    host: str = "127.0.0.1"
    port: int = 19900
    # Empty: http://<host>:<port> (the local gateway). In Kubernetes the bank's S3 endpoint.
    endpoint: str = ""
    region: str = "us-east-1"
    # Dev-only credentials for the local gateway; in Kubernetes they come from a Secret.
    access_key: str = "fintech-lake"
    secret_key: str = "fintech-lake-dev-secret"
    bucket: str = "lake"

    @property
    def url(self) -> str:
        return self.endpoint or f"http://{self.host}:{self.port}"


class LakeSettings(BaseModel):
    """The lake service (services/lake): the Iceberg catalog on its database and the sink that writes every
    domain event into it."""

    # The pyiceberg SqlCatalog's name: the rows of its tables carry it, Spark's JDBC catalog must use the same.
    catalog: str = "fintech"
    # Under the object store's bucket: s3://<bucket>/<warehouse_prefix>.
    warehouse_prefix: str = "warehouse"
    # The sink appends once this many events wait, or once the oldest waited this long: one Parquet file per
    # table and flush, so few, larger files, and an event reaches the lake within seconds.
    flush_records: int = Field(default=2000, gt=0)
    flush_seconds: float = Field(default=10.0, gt=0)


class JobsSettings(BaseModel):
    """The Spark batch jobs (jobs/, `make jobs`): where Spark runs, its jars, and the large-exposure parameters."""

    # local[2] on the dev machine; empty in Kubernetes, where the Spark operator's spark-submit sets the master.
    master: str = "local[2]"
    driver_memory: str = "512m"
    # The jars of jobs/jars.sha256; empty: ~/.cache/fintech-mesh/jars (make setup). The image has its own path.
    jar_dir: str = ""
    # Recorded in governance.job_runs; empty: the clone's git commit (Kubernetes: the image's, from the build).
    code_version: str = ""
    # Where the jobs read the events (<namespace>.payments, .risk) and write their results: the lake's own by
    # default; tests point them at tables of their own.
    events_namespace: str = "events"
    results_namespace: str = "analytics"
    # Basel III large exposures (analytics.large_exposures): eligible capital per currency, in minor units, and
    # the shares of it, in basis points, from which an exposure is large (reported) and past which it breaches
    # the limit (10 % and 25 % in the Basel framework).
    eligible_capital_minor: dict[str, int] = {"EUR": 100_000_000}
    large_exposure_reporting_bp: int = Field(default=1000, gt=0)
    large_exposure_limit_bp: int = Field(default=2500, gt=0)


class ExchangeSettings(BaseModel):
    """The ISO 20022 file exchange in the lake service: pain.001 files in, pain.002 reports and camt.053 statements
    out, under `prefix` in the object store's bucket."""

    prefix: str = "exchange"
    # How often exchange/inbound/ is looked at for new files.
    inbound_interval_seconds: float = Field(default=5.0, gt=0)
    # How often the end-of-day statements are looked for; a UTC day's are written once it has been over for
    # statement_delay_seconds (its last events have reached the lake), for the last lookback_days days missing.
    statement_interval_seconds: float = Field(default=60.0, gt=0)
    statement_delay_seconds: float = Field(default=600.0, ge=0)
    lookback_days: int = Field(default=3, gt=0)


class ReconciliationSettings(BaseModel):
    """The lake's reconciliation (services/lake/app/reconciliation.py): the lake against the ledger and Kafka."""

    # Seconds between runs in the lake service (LakeReconciliationStale fires after 15 minutes without one).
    interval_seconds: float = Field(default=60.0, gt=0)
    # Executed payments are compared over this many UTC days, up to the moment the lake is known complete.
    lookback_days: int = Field(default=3, gt=0)
    # How long an executed payment's event may wait in the payments outbox before Kafka has it.
    grace_seconds: float = Field(default=5.0, ge=0)
