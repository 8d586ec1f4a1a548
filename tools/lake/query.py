"""The lake for people: DuckDB over the Iceberg tables on the object store, one view per table of the catalog.

DuckDB loads its httpfs, avro and iceberg extensions from the PyPI packages that ship them
(duckdb-extension-<name>, pinned to DuckDB's version): nothing is downloaded when it runs. Each table of the
`fintech` catalog becomes a view `<namespace>.<table>` over `iceberg_scan` of its current metadata file, so a
query reads the table as of now (the sink's appends are atomic: a query sees whole appends only).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import duckdb
from pyiceberg.catalog import Catalog

from services.lake.adapters.catalog import open_catalog
from services.runtime.config import Settings

# avro first: iceberg reads its manifests with it (and would try to download it otherwise).
EXTENSIONS = ("httpfs", "avro", "iceberg")


def extension_file(name: str) -> Path:
    """The extension binary the `duckdb-extension-<name>` package ships for the installed DuckDB."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or spec.origin is None:
        raise RuntimeError(f"duckdb-extension-{name} is not installed: run `make setup`")
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        found = sorted(p.name for p in (Path(spec.origin).parent / "extensions").iterdir())
        raise RuntimeError(f"duckdb-extension-{name} ships {found}, not DuckDB {duckdb.__version__}")
    return path


def connect(settings: Settings, catalog: Catalog | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the object store's credentials and a view per table of the lake."""
    connection = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for name in EXTENSIONS:
        connection.load_extension(str(extension_file(name)))
    o = settings.object_store
    endpoint = o.url.split("://", 1)[-1]
    connection.execute(
        "CREATE SECRET lake (TYPE s3, KEY_ID ?, SECRET ?, REGION ?, ENDPOINT ?, URL_STYLE 'path', USE_SSL ?)",
        [o.access_key, o.secret_key, o.region, endpoint, o.url.startswith("https://")],
    )
    catalog = catalog or open_catalog(settings)
    for namespace in catalog.list_namespaces():
        schema = ".".join(namespace)
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for identifier in catalog.list_tables(namespace):
            table = catalog.load_table(identifier)
            name = identifier[-1]
            connection.execute(
                f'CREATE VIEW "{schema}"."{name}" AS SELECT * FROM iceberg_scan(\'{table.metadata_location}\')'
            )
    return connection


def run(settings: Settings, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, rows) of one query."""
    connection = connect(settings)
    try:
        result = connection.execute(sql)
        columns = [column[0] for column in result.description or ()]
        return columns, result.fetchall()
    finally:
        connection.close()
