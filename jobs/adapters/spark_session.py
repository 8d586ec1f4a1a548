"""The Spark session of a job: local jars only, the lake's Iceberg JDBC catalog, S3A on the object store.

Spark's Iceberg catalog `fintech` is a JdbcCatalog on the lake's PostgreSQL database: the same rows pyiceberg's
SqlCatalog (the lake service) writes, so both see the same tables. Data files are read and written through
Hadoop's S3A (hadoop-aws, matching pyspark's Hadoop), which also serves the `s3://` paths pyiceberg records.
Nothing is resolved at run time: the class path is exactly jobs/jars.sha256's files (make setup fetched them).
Passwords and keys are set after the JVM started, so they never appear on a process's command line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from services.runtime.config import Settings

JOBS_DIR = Path(__file__).resolve().parents[1]
JAR_LIST = JOBS_DIR / "jars.sha256"
LOG_CONFIG = JOBS_DIR / "log4j2.properties"
DEFAULT_JAR_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fintech-mesh" / "jars"


class MissingJars(RuntimeError):
    """A jar of jobs/jars.sha256 is not in the jar directory (run `make setup`)."""


def jar_paths(settings: Settings) -> list[Path]:
    """The jars jobs/jars.sha256 names, in the configured directory; every one must be there."""
    directory = Path(settings.jobs.jar_dir) if settings.jobs.jar_dir else DEFAULT_JAR_DIR
    names = [line.split()[1] for line in JAR_LIST.read_text().splitlines() if line.strip()]
    paths = [directory / name for name in names]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise MissingJars(f"{len(missing)} jar(s) missing in {directory} (make setup): {', '.join(missing[:3])}")
    return paths


def catalog_prefix(settings: Settings) -> str:
    return f"spark.sql.catalog.{settings.lake.catalog}"


def session_options(settings: Settings, app_name: str) -> dict[str, str]:
    """Everything but the secrets: what the JVM starts with."""
    pg = settings.postgres
    store = settings.object_store
    catalog = catalog_prefix(settings)
    options = {
        "spark.app.name": app_name,
        "spark.jars": ",".join(str(path) for path in jar_paths(settings)),
        "spark.driver.memory": settings.jobs.driver_memory,
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Rows made in Python (createDataFrame) are unpickled by a Python worker: this interpreter, not PATH's.
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        # A few thousand rows per job: Spark's default of 200 shuffle partitions is 200 tiny tasks per stage.
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.defaultCatalog": settings.lake.catalog,
        catalog: "org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"{catalog}.uri": f"jdbc:postgresql://{pg.host}:{pg.port}/lake",
        f"{catalog}.jdbc.user": pg.user,
        f"{catalog}.warehouse": f"s3://{store.bucket}/{settings.lake.warehouse_prefix}",
        # Hadoop's FileIO over S3A, not Iceberg's own S3FileIO (which would need the AWS SDK bundle).
        f"{catalog}.io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
        # pyiceberg writes s3:// paths; S3A serves them.
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint": store.url,
        "spark.hadoop.fs.s3a.endpoint.region": store.region,
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": str(store.url.startswith("https://")).lower(),
        "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }
    if settings.jobs.master:
        options["spark.master"] = settings.jobs.master
    return options


def start_session(settings: Settings, app_name: str) -> SparkSession:
    """A session with the catalog and the object store configured (the catalog connects on first use)."""
    builder = SparkSession.builder
    for key, value in session_options(settings, app_name).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    # Read when the catalog and the S3A file system are first used, i.e. after this.
    session.conf.set(f"{catalog_prefix(settings)}.jdbc.password", settings.postgres.password)
    hadoop = session.sparkContext._jsc.hadoopConfiguration()  # noqa: SLF001  (S3A reads its keys from here)
    hadoop.set("fs.s3a.access.key", settings.object_store.access_key)
    hadoop.set("fs.s3a.secret.key", settings.object_store.secret_key)
    return session
