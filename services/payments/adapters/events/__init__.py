"""Events: what payments writes to its outbox, and the webhook matcher consuming its own topic."""
