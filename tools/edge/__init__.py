"""The REST edge: Envoy's configuration generated from the contracts, and the dev token issuer."""
