"""The lake service: every domain event in Iceberg tables on the object store (the data platform, issue #20)."""
