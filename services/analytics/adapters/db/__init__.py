"""The analytics service's own database: the runtime's tables only (its state lives in RocksDB and on Kafka)."""
