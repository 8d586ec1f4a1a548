"""The risk service's database schema (one database per service; the runtime's tables included).

Assessments, screenings and reports are stored as their contract message (`body`, serialized protobuf)
beside the columns they are looked up and filtered by; a screening's party (a person's name, aliases, birth
date, nationality) is sealed under the customer's data key (`risk_data_keys`). `audit_records` is the
hash-chained audit trail.
"""

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase

from services.runtime.db import declarative_base


class Base(DeclarativeBase):
    """The risk service's declarative base: its own metadata, the runtime's tables included."""

    metadata = declarative_base().metadata


metadata = Base.metadata


def _assessment(name: str, key: str, *extra: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column(key, UUID(as_uuid=True), nullable=False, unique=True),
        Column("customer_id", UUID(as_uuid=True), nullable=True),
        Column("decision", SmallInteger, nullable=False),
        Column("evaluate_time", DateTime(timezone=True), nullable=False),
        Column("body", LargeBinary, nullable=False),
        *extra,
        Index(f"ix_{name}_evaluate_time", "evaluate_time"),
    )


fraud_assessments = _assessment("fraud_assessments", "payment_id")
aml_assessments = _assessment("aml_assessments", "payment_id")
credit_assessments = _assessment("credit_assessments", "request_id", Column("fingerprint", Text, nullable=False))
# decision: the match status. `body` holds the screening without the party's personal data (only its id and
# type): the party is in `sealed_party`, a SealedValue under the customer's risk data key
# (services/risk/adapters/keys.py).
screenings = _assessment("screenings", "request_id", Column("sealed_party", LargeBinary, nullable=True))

# A customer's data key (AES-256, wrapped by the risk KEK). `erase_time`: when the customer's erasure arrived;
# `shred_after`: when the AML retention lets the key be destroyed (KeyShredder deletes the row then).
risk_data_keys = Table(
    "risk_data_keys",
    metadata,
    Column("customer_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kek_id", Text, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("erase_time", DateTime(timezone=True), nullable=True),
    Column("shred_after", DateTime(timezone=True), nullable=True),
    Index("ix_risk_data_keys_shred_after", "shred_after", postgresql_where=text("shred_after IS NOT NULL")),
)

known_counterparties = Table(
    "known_counterparties",
    metadata,
    Column("customer_id", UUID(as_uuid=True), primary_key=True),
    Column("counterparty_key", Text, primary_key=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

aml_transactions = Table(
    "aml_transactions",
    metadata,
    Column("payment_id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", UUID(as_uuid=True), nullable=False),
    Column("account_id", UUID(as_uuid=True), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("transaction_type", SmallInteger, nullable=False),
    Column("direction", SmallInteger, nullable=False),
    Column("transaction_time", DateTime(timezone=True), nullable=False),
    Column("flagged", Integer, nullable=False),  # number of AML alerts it raised
    Index("ix_aml_transactions_account_time", "account_id", "transaction_time"),
)

regulatory_reports = Table(
    "regulatory_reports",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("request_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("state", SmallInteger, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("document", LargeBinary, nullable=True),
)

audit_records = Table(
    "audit_records",
    metadata,
    Column("position", BigInteger, Identity(always=True), primary_key=True),
    Column("id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("actor", Text, nullable=False),
    Column("actor_type", SmallInteger, nullable=False),
    Column("action", Text, nullable=False),
    Column("resource_type", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("customer_id", Text, nullable=False),
    Column("outcome", SmallInteger, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("trace_id", Text, nullable=False),
    Column("recorder", Text, nullable=False),
    Column("occur_time", DateTime(timezone=True), nullable=False),
    Column("details", JSONB, nullable=False),
    Column("record_hash", LargeBinary, nullable=False),
    Column("previous_record_hash", LargeBinary, nullable=False),
    Index("ix_audit_records_occur_time", "occur_time"),
    Index("ix_audit_records_subject", "subject"),
)


# ORM classes of the listed tables: the runtime's keyset pager (services.runtime.paging) pages entities.
class FraudAssessmentRow(Base):
    __table__ = fraud_assessments


class RegulatoryReportRow(Base):
    __table__ = regulatory_reports


class AuditRecordRow(Base):
    __table__ = audit_records
