"""Pure rules of the lake: what an event becomes as a table row, which Kafka offsets a snapshot covers."""
