"""`python -m jobs <name>|all`: run batch jobs over the lake (make jobs). Prints one line per run."""

from __future__ import annotations

import argparse
import sys
import time

from jobs.adapters.code_version import code_version
from jobs.adapters.lake_tables import LakeTables
from jobs.adapters.spark_session import start_session
from jobs.app.definitions import definitions
from jobs.app.run import run_job
from jobs.domain.large_exposures import ExposurePolicy
from services.runtime.config import Settings, get_settings


def policy_of(settings: Settings) -> ExposurePolicy:
    jobs = settings.jobs
    return ExposurePolicy(jobs.eligible_capital_minor, jobs.large_exposure_reporting_bp, jobs.large_exposure_limit_bp)


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    available = definitions(policy_of(settings), settings.jobs.events_namespace, settings.jobs.results_namespace)
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__)
    parser.add_argument("names", nargs="+", choices=[*available, "all"], metavar="name", help="a job, or all")
    args = parser.parse_args(argv)
    chosen = list(available) if "all" in args.names else list(dict.fromkeys(args.names))
    started = time.monotonic()
    session = start_session(settings, app_name=f"fintech-jobs-{'-'.join(chosen)}")
    print(f"spark session started in {time.monotonic() - started:.1f} s", flush=True)
    tables = LakeTables(session, settings.lake.catalog)
    version = code_version(settings)
    try:
        for name in chosen:
            began = time.monotonic()
            run = run_job(available[name], tables, version)
            reads = ", ".join(f"{i.table_name}@{i.snapshot_id} ({i.row_count} rows)" for i in run.inputs)
            writes = ", ".join(f"{o.table_name}@{o.snapshot_id} ({o.row_count} rows)" for o in run.outputs)
            print(f"{name}: {time.monotonic() - began:.1f} s, read {reads}, wrote {writes}, run {run.run_id}")
    finally:
        session.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
