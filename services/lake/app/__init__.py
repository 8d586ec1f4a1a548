"""Use cases of the lake."""
