"""The console's use case: one live feed of the view and the SLOs, filtered per viewer."""
