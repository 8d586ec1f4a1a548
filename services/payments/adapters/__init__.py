"""What payments talks to: its database, the risk and customer services, Kafka, webhook receivers."""
