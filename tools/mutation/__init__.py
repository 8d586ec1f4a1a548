"""Mutation testing of the pure rule modules (`make mutation`): mutmut runs, this scores and reports."""
