"""Configuration of the mesh: mesh.toml at the repository root, overridden by environment variables.

An environment variable FINTECH_<SECTION>__<KEY> overrides a value (FINTECH_KAFKA__PORT=29092,
FINTECH_SERVICES__PAYMENTS__PORT=7003); FINTECH_CONFIG names another TOML file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from services.runtime.analytics_settings import AnalyticsSettings
from services.runtime.console_settings import ConsoleSettings
from services.runtime.data_platform_settings import (
    ExchangeSettings,
    JobsSettings,
    LakeSettings,
    ObjectStoreSettings,
    ReconciliationSettings,
)
from services.runtime.flags_settings import FlagSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("customer", "risk", "payments", "ml", "features", "lake", "analytics")
# Workloads of the mesh that are not domain services: no database, no events of their own, no contracts.
APPS = ("console",)


class MeshSettings(BaseModel):
    state_dir: Path = Path("var")
    mode: Literal["local", "cluster"] = "local"
    trust_domain: str = "cluster.local"
    namespace: str = "fintech"
    host: str = "127.0.0.1"
    # `make up` starts the collectors (logs, metrics, traces) beside the mesh; false leaves them out.
    collectors: bool = True
    # `make up` starts the data platform (the object store, the lake service); false leaves it out. The test
    # mesh starts it only when a test names it.
    data_platform: bool = True


class PostgresSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 15432
    user: str = "fintech"
    password: str = "fintech-dev"
    # Per service process. Enough kept open for its calls, consumers and relay under load: an overflow
    # connection is closed when returned, and a new one costs a connect plus re-preparing every statement.
    pool_size: int = 16
    max_overflow: int = 4

    def url(self, database: str) -> str:
        """SQLAlchemy URL of one service's database (asyncpg driver)."""
        return f"postgresql+asyncpg://{self.user}:{self.password}@{self.host}:{self.port}/{database}"


class KafkaSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 19092
    controller_port: int = 19093
    heap_mb: int = 512

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"


class RedisSettings(BaseModel):
    """The mesh's Redis: online features, caches and the edge's global rate limit (tools/mesh/redis.py).

    Clients connect over TLS with their workload certificate and the password (AUTH).
    """

    host: str = "127.0.0.1"
    port: int = 16379
    # Dev-only password for the local mesh; in Kubernetes it comes from a Secret.
    password: str = "fintech-redis-dev"
    max_memory_mb: int = 256
    # The client gives up on a command after this long: a slow Redis must not stall a payment.
    timeout_seconds: float = Field(default=0.25, gt=0)


class TritonSettings(BaseModel):
    host: str = "127.0.0.1"
    http_port: int = 18000
    grpc_port: int = 18001
    metrics_port: int = 18002


class EnvoySettings(BaseModel):
    rest_port: int = 18080
    admin_port: int = 19901


class EdgeClientSettings(BaseModel):
    """An OAuth2 client of the dev token issuer (client-credentials grant; authorization code with PKCE when it
    names redirect paths, which the issuer accepts at the edge's address only)."""

    secret: str
    scope: str = ""
    redirect_paths: list[str] = []


class EdgeUserSettings(BaseModel):
    """A dev staff member (or customer) who signs in at the dev issuer's login form (authorization code flow)."""

    password: str
    roles: list[str]
    customer_id: str = ""
    branch_id: str = ""


class EdgeSettings(BaseModel):
    """The REST edge's token issuer (tools/edge) and the limits Envoy enforces per client."""

    issuer_port: int = 18090
    issuer: str = "https://issuer.fintech.local"
    audience: str = "fintech-api"
    token_ttl_seconds: int = 600
    # Requests each client (the token's `sub`) may make per window; more get HTTP 429.
    rate_limit_requests: int = 100
    rate_limit_window_seconds: int = 60
    clients: dict[str, EdgeClientSettings] = {}
    # People who sign in at the issuer's login form (the console's staff); the token's `sub` is the user name.
    users: dict[str, EdgeUserSettings] = {}
    # The issuer's public keys, which services check an operator's bearer token against (access.py);
    # empty: the dev issuer's file, <state_dir>/edge/jwks.json.
    jwks_file: str = ""


class RateLimitSettings(BaseModel):
    """The edge's global rate limit service (envoyproxy/ratelimit, tools/mesh/ratelimit.py).

    Envoy asks it over gRPC (mTLS) for every request; it counts each client's requests in Redis, so every
    edge replica spends one budget: [edge] rate_limit_requests per rate_limit_window_seconds.
    """

    host: str = "127.0.0.1"
    grpc_port: int = 18091
    # /healthcheck (the readiness probe) and the debug endpoints.
    http_port: int = 18092
    debug_port: int = 18093
    # Prometheus: requests over and near the limit per descriptor, Redis pool, Go runtime.
    metrics_port: int = 18094
    # The limits' domain: Envoy sends it with every descriptor, the service's configuration names it.
    domain: str = "fintech-edge"
    # Envoy waits this long for an answer, then lets the request through (the local limit still applies).
    timeout_seconds: float = Field(default=0.1, gt=0)


class SupervisorSettings(BaseModel):
    port: int = 19001


class VictoriaLogsSettings(BaseModel):
    """The local log store (VictoriaLogs, tools/mesh/victorialogs.py); rsyslog ships var/log/*.log into it.

    LogsQL at http://<host>:<port>/select/logsql/query, its UI at /select/vmui/.
    """

    host: str = "127.0.0.1"
    port: int = 19428
    retention_days: int = Field(default=7, gt=0)
    # Oldest days are dropped past this much disk, whatever their age.
    max_disk_mb: int = Field(default=1024, gt=0)
    # Caches and query buffers; it uses no more than this.
    max_memory_mb: int = Field(default=256, gt=0)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class AdmissionLimit(BaseModel):
    """Calls of one method a worker runs at once, and how long a call may wait for a slot (admission.py)."""

    max_in_flight: int = Field(gt=0)
    max_wait_seconds: float = Field(default=2.0, ge=0)


class ServiceSettings(BaseModel):
    port: int
    metrics_port: int
    host: str = "127.0.0.1"
    # RPC method name (InitiatePayment) -> its admission limit; methods not listed are not limited.
    admission: dict[str, AdmissionLimit] = {}

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class RiskSettings(BaseModel):
    """Decision thresholds of the risk service ([risk] in mesh.toml, FINTECH_RISK__<KEY> overrides)."""

    fraud_review_threshold: float = 0.5
    fraud_decline_threshold: float = 0.85
    fraud_model_timeout: float = 0.3
    velocity_review_count_1h: int = 10
    velocity_decline_count_1m: int = 8
    card_testing_small_count_10m: int = 5
    amount_zscore_review: float = 4.0
    new_counterparty_review_amount_minor: int = 100_000
    sanctions_match_threshold: float = 0.85
    aml_large_cash_minor: int = 1_000_000
    aml_structuring_min_count: int = 3
    aml_structuring_window_hours: int = 24
    aml_high_risk_countries: list[str] = ["IR", "KP", "MM", "SY", "AF", "YE"]
    aml_blocked_countries: list[str] = ["KP", "IR"]
    reporting_currency: str = "EUR"
    # How long after a customer's erasure risk keeps the personal data of its AML records (screenings) readable
    # before it destroys the customer's data key (services/risk/adapters/erasure.py); 0: at once, as the erasure
    # arrives.
    aml_retention_days: int = Field(default=1825, ge=0)
    # How often risk destroys the data keys whose retention has ended.
    data_retention_interval_seconds: float = Field(default=60.0, gt=0)
    # How often risk looks for PENDING regulatory reports that no request woke it for (another replica's
    # requests, or reports a crash left PENDING; services/risk/adapters/reports.py ReportGeneration).
    report_poll_interval_seconds: float = Field(default=5.0, gt=0)


class PrometheusSettings(BaseModel):
    """The local Prometheus (tools/mesh/prometheus.py): scrapes the mesh, evaluates tools/observability/rules.py."""

    host: str = "127.0.0.1"
    port: int = 19190
    # Seconds: a few locally (alerts fire within a test's patience), 30 s in Kubernetes (the ServiceMonitors).
    scrape_interval_seconds: int = Field(default=5, gt=0)
    evaluation_interval_seconds: int = Field(default=5, gt=0)
    retention: str = "2d"
    retention_size: str = "256MB"


class AlertmanagerSettings(BaseModel):
    """The local Alertmanager (tools/mesh/alertmanager.py): holds the alerts Prometheus sends (no receiver)."""

    host: str = "127.0.0.1"
    port: int = 19193
    retention: str = "24h"


class PostgresExporterSettings(BaseModel):
    """prometheus-postgres-exporter: PostgreSQL's own metrics, as a read-only monitoring role (pg_monitor)."""

    port: int = 19187
    user: str = "fintech_monitor"
    # Dev-only password for the local mesh; in Kubernetes it comes from a Secret.
    password: str = "fintech-monitor-dev"


class RedisExporterSettings(BaseModel):
    """prometheus-redis-exporter: Redis's metrics over TLS with its own workload certificate."""

    port: int = 19121


class JaegerSettings(BaseModel):
    """Jaeger v2 (tools/mesh/jaeger.py): receives spans over OTLP, keeps the newest `max_traces` in memory and
    serves the query API (`/api/v3/traces/{id}`; the readiness probe). In Kubernetes `host` names a collector."""

    host: str = "127.0.0.1"
    otlp_grpc_port: int = 16317
    otlp_http_port: int = 16318
    query_port: int = 16686
    query_grpc_port: int = 16685
    # Prometheus: spans received, refused and exported by the collector, Go runtime.
    metrics_port: int = 16888
    max_traces: int = Field(default=10_000, gt=0)


class TracingSettings(BaseModel):
    """Where spans go (observability.py): services and Envoy export them over OTLP/gRPC to [jaeger].

    Sampling is parent-based: a call or event that carries a trace keeps its parent's decision, so a trace is
    whole or absent; traces that start here (at the edge, in a background job) are kept at `sample_ratio`.
    """

    # False: spans are still made and their context still travels (logs keep their trace ids); none is exported.
    export: bool = True
    sample_ratio: float = Field(default=1.0, ge=0, le=1)
    # The batch exporter's bounds: at most this many spans wait in a process, sent every delay or when full.
    max_queue_size: int = Field(default=2048, gt=0)
    schedule_delay_seconds: float = Field(default=2.0, gt=0)

    def endpoint(self, jaeger: JaegerSettings) -> str | None:
        """The OTLP/gRPC endpoint spans are exported to, or None when none are."""
        return f"http://{jaeger.host}:{jaeger.otlp_grpc_port}" if self.export else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINTECH_", env_nested_delimiter="__", extra="ignore")

    mesh: MeshSettings = MeshSettings()
    postgres: PostgresSettings = PostgresSettings()
    kafka: KafkaSettings = KafkaSettings()
    redis: RedisSettings = RedisSettings()
    triton: TritonSettings = TritonSettings()
    envoy: EnvoySettings = EnvoySettings()
    edge: EdgeSettings = EdgeSettings()
    ratelimit: RateLimitSettings = RateLimitSettings()
    supervisor: SupervisorSettings = SupervisorSettings()
    victorialogs: VictoriaLogsSettings = VictoriaLogsSettings()
    services: dict[str, ServiceSettings] = {}
    risk: RiskSettings = RiskSettings()
    prometheus: PrometheusSettings = PrometheusSettings()
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    postgres_exporter: PostgresExporterSettings = PostgresExporterSettings()
    redis_exporter: RedisExporterSettings = RedisExporterSettings()
    jaeger: JaegerSettings = JaegerSettings()
    tracing: TracingSettings = TracingSettings()
    # The data platform's sections (data_platform_settings.py).
    object_store: ObjectStoreSettings = ObjectStoreSettings()
    lake: LakeSettings = LakeSettings()
    jobs: JobsSettings = JobsSettings()
    exchange: ExchangeSettings = ExchangeSettings()
    reconciliation: ReconciliationSettings = ReconciliationSettings()
    # The real-time aggregates' stream processor (analytics_settings.py).
    analytics: AnalyticsSettings = AnalyticsSettings()
    # The operations console (console_settings.py).
    console: ConsoleSettings = ConsoleSettings()
    # Feature flags (flags_settings.py, flags.py).
    flags: FlagSettings = FlagSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("FINTECH_CONFIG", ROOT / "mesh.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    @property
    def state_dir(self) -> Path:
        """Absolute state directory (relative paths are taken from the repository root)."""
        path = self.mesh.state_dir
        return path if path.is_absolute() else ROOT / path

    def service(self, name: str) -> ServiceSettings:
        return self.services[name]

    def spiffe_id(self, workload: str) -> str:
        """The SPIFFE id of a workload: spiffe://<trust domain>/ns/<namespace>/sa/<workload>."""
        return f"spiffe://{self.mesh.trust_domain}/ns/{self.mesh.namespace}/sa/{workload}"

    def workload_host(self, workload: str) -> str:
        """The workload's DNS name as Kubernetes gives its service (<workload>.<namespace>.svc.<trust
        domain>): in its certificate, and what a client of it checks the server's certificate against."""
        return f"{workload}.{self.mesh.namespace}.svc.{self.mesh.trust_domain}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
