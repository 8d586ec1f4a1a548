"""Settlement: batches of executed off-us payments, netted per participant and settled with the clearing system."""
