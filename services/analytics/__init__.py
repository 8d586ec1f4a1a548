"""The analytics service: real-time aggregates of the domain events on compacted Kafka topics (issue #21)."""
