"""Payment notifications: customers' webhook endpoints, and signed, retried deliveries of payment events."""
