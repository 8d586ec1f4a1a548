"""Zero-downtime schema changes: a release's migrations must leave the previous release's code working.

Canary and blue-green run two releases on one database, and the new one migrates it first. So migrations are
expand/contract: a release may add tables, nullable columns and columns with a server default; it may drop or
change what the previous release no longer maps. `compat` says what breaks, `describe` reads a schema (from a
release's SQLAlchemy metadata or from a migrated database), `release` unpacks the previous release's code.
"""
