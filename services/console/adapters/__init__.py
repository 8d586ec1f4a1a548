"""What the console reads: the aggregate topics (Kafka), Prometheus and Jaeger, and the issuer (sign-in)."""
