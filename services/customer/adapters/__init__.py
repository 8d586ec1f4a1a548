"""The customer service's adapters: its database (models, queries, sealed personal data), outbox events, the payment
events consumer, the compliance service client and the data-key cryptography."""
