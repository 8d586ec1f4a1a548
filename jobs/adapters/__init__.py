"""Spark and the lake: the session (local jars, the Iceberg JDBC catalog, S3A) and the Iceberg tables' I/O."""
