"""The customer database: SQLAlchemy models, queries, and personal data sealed into rows and opened out of them."""
