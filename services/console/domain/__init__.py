"""Pure rules of the console: which role sees which panel, and the materialized view of the aggregates."""
