"""The batch jobs by name: what each reads, computes and writes.

Inputs are tables of the events namespace (`events`), outputs of the results namespace (`analytics`): [jobs]
settings, so a test can run the same jobs over a lake of its own beside the sink's tables.
"""

from __future__ import annotations

from functools import partial

from jobs.app.run import Job
from jobs.domain import fraud_outcomes, large_exposures, payment_volumes
from jobs.domain.large_exposures import ExposurePolicy

# The jobs' names, for what runs them elsewhere (tools/k8s: one SparkApplication each).
NAMES = ("daily_payment_volumes", "fraud_outcomes", "large_exposures")


def definitions(policy: ExposurePolicy, events: str = "events", results: str = "analytics") -> dict[str, Job]:
    payments, risk = f"{events}.payments", f"{events}.risk"
    jobs = (
        Job(
            name="daily_payment_volumes",
            inputs=(payments,),
            output=f"{results}.{payment_volumes.TABLE}",
            ddl=payment_volumes.DDL,
            transform=payment_volumes.daily_payment_volumes,
            description="executed payments per day, currency, channel, on-us/off-us: count and exact value",
        ),
        Job(
            name="fraud_outcomes",
            inputs=(risk, payments),
            output=f"{results}.{fraud_outcomes.TABLE}",
            ddl=fraud_outcomes.DDL,
            transform=fraud_outcomes.fraud_outcomes,
            description="fraud decisions and mean score per model version, precision of reviews",
        ),
        Job(
            name="large_exposures",
            inputs=(payments,),
            output=f"{results}.{large_exposures.TABLE}",
            ddl=large_exposures.DDL,
            transform=partial(large_exposures.large_exposures, policy=policy),
            description="what each customer owes against the eligible capital (Basel III large exposures)",
        ),
    )
    by_name = {job.name: job for job in jobs}
    assert tuple(by_name) == NAMES, "NAMES lists every job"
    return by_name
