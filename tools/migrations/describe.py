"""A schema as plain data: per table, per column its PostgreSQL type, nullability and defaults.

The same description comes from a release's SQLAlchemy metadata and from a database reflected after the
migrations, so the two compare. Run as a script with the previous release's code first on the path, it prints
the metadata a service's Alembic env.py hands to its migrations (imports sqlalchemy only, so the script is
independent of the release it reads):

    PYTHONPATH=<release>:<release>/gen/python python tools/migrations/describe.py <release>/services/x/migrations/env.py
"""

from __future__ import annotations

import json
import runpy
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

Schema = dict[str, dict[str, dict[str, Any]]]

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def describe(metadata: sa.MetaData) -> Schema:
    """{table: {column: {type, nullable, server_default, default}}}; `default` is a client-side default (an
    ORM insert of that release fills the column), `server_default` includes identity columns."""
    return {
        table.name: {
            column.name: {
                "type": column.type.compile(dialect=_DIALECT),
                "nullable": bool(column.nullable),
                "server_default": column.server_default is not None or column.identity is not None,
                "default": column.default is not None,
            }
            for column in table.columns
        }
        for table in metadata.sorted_tables
        if table.name != "alembic_version"
    }


def release_metadata(env_py: str) -> sa.MetaData:
    """The metadata a service's env.py passes to run_migrations (of the release first on sys.path)."""
    import services.runtime.migrations as migrations

    captured: list[sa.MetaData] = []
    migrations.run_migrations = captured.append  # type: ignore[assignment]
    runpy.run_path(env_py)
    return captured[0]


if __name__ == "__main__":
    json.dump(describe(release_metadata(sys.argv[1])), sys.stdout, sort_keys=True)
