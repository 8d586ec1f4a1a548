"""Risk: credit risk assessment, fraud detection and regulatory compliance."""
