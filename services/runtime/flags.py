"""Feature flags: OpenFeature's SDK with flagd's evaluator in process, read on every call.

The flags come from flagd's JSON flag file ([flags] path, watched: a change serves within a poll interval, no
restart) or, in a cluster, from the flagd sidecar the OpenFeature Operator injects (`provider = "in-process"`).
Every evaluation names the code's safe default: while the source is missing or broken, or a flag is absent or of
the wrong type, the caller gets that default, never an error; a warning is logged when a flag starts failing
(not on every call) and `feature_flag_fallbacks_total` counts each one. `feature_flag_evaluations_total` counts
what was served, per flag and variant.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext
from openfeature.flag_evaluation import FlagEvaluationDetails
from openfeature.provider import ProviderStatus
from prometheus_client import Counter, Gauge

from services.runtime import access
from services.runtime.config import ROOT
from services.runtime.flags_settings import FlagSettings

log = structlog.get_logger("flags")
EVALUATIONS = Counter(
    "feature_flag_evaluations_total",
    "Flag evaluations, by flag and the variant served (`default`: the code's safe default).",
    ["flag", "variant"],
)
FALLBACKS = Counter(
    "feature_flag_fallbacks_total",
    "Evaluations answered with the code's safe default, by flag and why (source not ready, flag not found...).",
    ["flag", "error"],
)
SOURCE_READY = Gauge("feature_flag_source_ready", "1 while the flag source is loaded and valid, else 0.")
T = TypeVar("T", bool, str, int, float)
USABLE = (ProviderStatus.READY, ProviderStatus.STALE)
DEFAULT_VARIANT = "default"
# flagd's file watcher logs a stack trace on every poll while the file is broken: our one warning says it instead.
logging.getLogger("openfeature.contrib").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Evaluation(Generic[T]):
    """A flag's value for one call and the variant it came from (`default` when the safe default stood in)."""

    value: T
    variant: str


def provider(settings: FlagSettings) -> FlagdProvider:
    """flagd's provider for the configured source."""
    if settings.provider == "file":
        path = settings.path if settings.path.is_absolute() else ROOT / settings.path
        return FlagdProvider(
            resolver_type=ResolverType.FILE,
            offline_flag_source_path=str(path),
            deadline_ms=int(settings.poll_interval_seconds * 1000),  # the file watcher's poll interval
        )
    return FlagdProvider(resolver_type=ResolverType.IN_PROCESS, host=settings.host, port=settings.port)


def context(targeting_key: str = "", **attributes: str | int | float | bool | Sequence[str]) -> EvaluationContext:
    """The evaluation context of the call being handled: the caller (principal, roles, kind, workload, as the
    runtime's access control bound it) plus what the service knows (customer segment, payment id...)."""
    values: dict[str, object] = {}
    try:
        who = access.caller()
    except RuntimeError:  # no inbound call (a background job): only what the service passed
        who = None
    if who is not None:
        values |= {
            "principal": who.subject,
            "roles": sorted(who.roles),
            "role": min(who.roles, default=""),
            "caller_kind": who.kind.value,
            "workload": who.workload,
        }
    values |= attributes
    return EvaluationContext(targeting_key or None, values)  # type: ignore[arg-type]  # the SDK's value union


class Flags:
    """A service's flags client (one OpenFeature domain per service)."""

    def __init__(self, settings: FlagSettings, domain: str) -> None:
        self.settings = settings
        self.domain = domain
        self._failing: dict[str, str] = {}  # flag -> the error it is failing with (logged once)
        self._provider = provider(settings)
        api.set_provider(self._provider, domain)
        self.client: OpenFeatureClient = api.get_client(domain)

    @property
    def ready(self) -> bool:
        # STALE: the sidecar's stream broke and flagd serves the flags it last received, which beat the defaults.
        ready = self.client.get_provider_status() in USABLE
        SOURCE_READY.set(1 if ready else 0)
        return ready

    async def start(self) -> None:
        """Wait a little for the flags, so the first calls after a start are not served the defaults."""
        deadline = time.monotonic() + self.settings.startup_wait_seconds
        while not self.ready and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if not self.ready:
            log.warning("flags.not_ready", domain=self.domain, provider=self.settings.provider,
                        status=self.client.get_provider_status().value)  # fmt: skip

    async def stop(self) -> None:
        self._provider.shutdown()

    def boolean(self, key: str, default: bool, ctx: EvaluationContext | None = None) -> Evaluation[bool]:
        return self._evaluate(self.client.get_boolean_details, key, default, ctx)

    def string(self, key: str, default: str, ctx: EvaluationContext | None = None) -> Evaluation[str]:
        return self._evaluate(self.client.get_string_details, key, default, ctx)

    def _evaluate(
        self,
        details: Callable[[str, T, EvaluationContext | None], FlagEvaluationDetails[T]],
        key: str,
        default: T,
        ctx: EvaluationContext | None,
    ) -> Evaluation[T]:
        if not self.ready:  # missing or broken source: flagd would serve the last good flags, we serve the defaults
            return self._fallback(key, default, f"source_{self.client.get_provider_status().value.lower()}")
        found = details(key, default, ctx)
        if found.error_code is not None:
            return self._fallback(key, default, found.error_code.value.lower())
        if key in self._failing:
            log.info("flags.recovered", flag=key, variant=found.variant)
            del self._failing[key]
        variant = found.variant or DEFAULT_VARIANT
        EVALUATIONS.labels(key, variant).inc()
        return Evaluation(found.value, variant)

    def _fallback(self, key: str, default: T, error: str) -> Evaluation[T]:
        if self._failing.get(key) != error:
            log.warning("flags.fallback", flag=key, error=error, default=default)
            self._failing[key] = error
        FALLBACKS.labels(key, error).inc()
        EVALUATIONS.labels(key, DEFAULT_VARIANT).inc()
        return Evaluation(default, DEFAULT_VARIANT)
