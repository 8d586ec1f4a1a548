"""What in a new schema breaks the previous release's code (pure: two descriptions from `describe`)."""

from __future__ import annotations

from tools.migrations.describe import Schema


def breaks(previous: Schema, migrated: Schema) -> list[str]:
    """Each way the schema after this release's migrations breaks the code of the previous release, which maps
    `previous` and still runs during a canary or a blue-green switch. Tables it does not map are free."""
    problems = []
    for table, columns in sorted(previous.items()):
        if table not in migrated:
            problems.append(f"{table}: dropped or renamed, but the previous release maps it")
            continue
        now = migrated[table]
        for name, column in sorted(columns.items()):
            where = f"{table}.{name}"
            if name not in now:
                problems.append(f"{where}: dropped or renamed, but the previous release maps it")
                continue
            if now[name]["type"] != column["type"]:
                problems.append(f"{where}: type changed from {column['type']} to {now[name]['type']}")
            # An explicit NULL is refused even where a server default exists.
            if column["nullable"] and not now[name]["nullable"]:
                problems.append(f"{where}: now NOT NULL, but the previous release may insert it empty")
        for name, column in sorted(now.items()):
            if name not in columns and not column["nullable"] and not column["server_default"]:
                problems.append(
                    f"{table}.{name}: new NOT NULL column without a server default; "
                    "the previous release's inserts leave it out (add it nullable or with a default first)"
                )
    return problems
