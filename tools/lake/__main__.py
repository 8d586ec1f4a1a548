"""`python -m tools.lake sql "SELECT event_type, count(*) FROM events.payments GROUP BY 1"`: query the lake.

Views: events.<domain> (every event), analytics.* and governance.* (what the jobs and reconciliation write).
`python -m tools.lake reconcile`: reconcile the lake with the ledger and Kafka once, now.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.runtime.config import get_settings
from tools.lake import reconcile as reconciliation
from tools.lake.query import run

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command()
def sql(query: Annotated[str, typer.Argument(help="one SQL statement (DuckDB's dialect)")]) -> None:
    """Run a query over the lake's tables and print the rows."""
    columns, rows = run(get_settings(), query)
    table = Table(header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    Console().print(table)
    Console(stderr=True).print(f"{len(rows)} rows")


@app.command()
def tables() -> None:
    """List the lake's tables."""
    sql("SELECT schema_name || '.' || view_name AS table FROM duckdb_views() WHERE NOT internal ORDER BY 1")


@app.command()
def reconcile() -> None:
    """Reconcile the lake with the ledger and Kafka once, now (the lake service does it every minute); exit 1 on a
    mismatch."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    raise typer.Exit(reconciliation.main())


if __name__ == "__main__":
    app()
