"""The lake: every domain event in Iceberg tables on the object store, exactly once, with no clear personal data."""
