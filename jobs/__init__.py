"""Batch analytics over the lake on Spark: `python -m jobs <name>` (`make jobs`).

Each job reads the `events.*` Iceberg tables at one snapshot, computes a result table in namespace `analytics`
and records its run in `governance.job_runs` (inputs with the snapshots read, outputs with the snapshots written,
code version). The shape of a service: domain/ holds the pure transformations (DataFrame in, DataFrame out, no
I/O), app/ runs a job and builds its lineage, adapters/ holds the Spark session and the Iceberg reads and writes.
Spark starts only when a job runs.
"""
