"""The payments database: SQLAlchemy models and queries."""
