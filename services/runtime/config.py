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

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("customer", "risk", "payments", "ml", "features")


class MeshSettings(BaseModel):
    state_dir: Path = Path("var")
    mode: Literal["local", "cluster"] = "local"
    trust_domain: str = "cluster.local"
    namespace: str = "fintech"
    host: str = "127.0.0.1"


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
    """An OAuth2 client of the dev token issuer (client-credentials grant)."""

    secret: str
    scope: str = ""


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
    services: dict[str, ServiceSettings] = {}
    risk: RiskSettings = RiskSettings()

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
