"""The lake's own database: the runtime's tables (and the Iceberg SQL catalog's, which pyiceberg owns)."""
