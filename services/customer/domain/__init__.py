"""The customer domain's pure rules: no I/O, most of the unit tests."""
