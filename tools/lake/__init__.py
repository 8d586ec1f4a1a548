"""`python -m tools.lake sql "SELECT ..."`: query the lake's Iceberg tables with DuckDB (tools/lake/query.py);
`python -m tools.lake reconcile`: reconcile the lake with the ledger and Kafka once (tools/lake/reconcile.py)."""
