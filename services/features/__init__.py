"""The feature store: online features from payment events, point-in-time historical retrieval."""
