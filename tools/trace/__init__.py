"""`python -m tools.trace <payment id>`: a payment's trace from Jaeger, printed as a waterfall."""
