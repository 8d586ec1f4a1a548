"""The analytics service's adapters: the Kafka stream processor (quixstreams), its database."""
