"""Model serving in front of Triton Inference Server, and the model registry."""
