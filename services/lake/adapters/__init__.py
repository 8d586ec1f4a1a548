"""The lake's adapters: the Iceberg catalog, the sink from Kafka, its database."""
