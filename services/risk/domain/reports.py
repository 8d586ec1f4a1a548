"""Regulatory reports: the period a report covers and its document (flagged transactions as CSV)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import regulatory_report_pb2 as R
from fintech.risk.v1 import transaction_pb2

from services.runtime.errors import InvalidArgument
from services.runtime.validation import Violation

COLUMNS = ("payment_id", "customer_id", "amount_minor", "currency", "transaction_type", "transaction_time",
           "decision", "alert_rule_id", "alert_severity", "alert_description")  # fmt: skip


class YearMonthDay(Protocol):
    """A google.type.Date."""

    year: int
    month: int
    day: int


def calendar_date(value: YearMonthDay, field: str) -> date:
    """A google.type.Date as a date; INVALID_ARGUMENT naming `field` when it is no calendar date."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        violation = Violation(field, "must be a calendar date (year, month and day)")
        raise InvalidArgument(f"invalid request: {field}", violations=[violation]) from None


def report_period(period: R.ReportingPeriod) -> tuple[date, date]:
    """The report period's dates; INVALID_ARGUMENT naming each that is no calendar date, or an end before the start."""
    dates: list[date] = []
    violations: list[Violation] = []
    for name in ("start_date", "end_date"):
        value = getattr(period, name)
        try:
            dates.append(date(value.year, value.month, value.day))
        except ValueError:
            violations.append(Violation(f"period.{name}", "must be a calendar date (year, month and day)"))
    if not violations and dates[1] < dates[0]:
        violations.append(Violation("period.end_date", "must not be before start_date"))
    if violations:
        raise InvalidArgument("invalid request: period", violations=violations)
    return dates[0], dates[1]


def document(report: R.RegulatoryReport, flagged: Iterable[A.AmlAssessment]) -> tuple[bytes, int]:
    """The CSV document of the flagged assessments (of the report's customer, when it names one): one line per
    alert; and how many lines."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    count = 0
    for assessment in flagged:
        t = assessment.transaction
        if report.customer_id and t.customer_id != report.customer_id:
            continue
        for alert in assessment.alerts:
            count += 1
            writer.writerow([
                t.payment_id, t.customer_id, t.amount.amount_minor, t.amount.currency_code,
                transaction_pb2.TransactionType.Name(t.transaction_type),
                t.transaction_time.ToJsonString(), A.AmlDecision.Name(assessment.decision), alert.rule_id,
                A.AmlAlertSeverity.Name(alert.severity), alert.description,
            ])  # fmt: skip
    return text.getvalue().encode(), count


def succeeded(report: R.RegulatoryReport, data: bytes, count: int, now: datetime) -> None:
    """Fill in `report` as SUCCEEDED with its document `data` of `count` records."""
    report.state = R.REGULATORY_REPORT_STATE_SUCCEEDED
    report.record_count = count
    report.document_sha256 = hashlib.sha256(data).digest()
    report.document_uri = f"risk://regulatoryReports/{report.regulatory_report_id}/document.csv"
    report.complete_time.FromDatetime(now)


def failed(report: R.RegulatoryReport, error: Exception, now: datetime) -> None:
    report.state = R.REGULATORY_REPORT_STATE_FAILED
    report.failure_message = f"generation failed: {type(error).__name__}"
    report.complete_time.FromDatetime(now)


def period_bounds(report: R.RegulatoryReport) -> tuple[datetime, datetime]:
    """The report's period as [start, end) instants (validated when the report was requested)."""
    first, last = report_period(report.period)
    start = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last, datetime.min.time(), UTC)
    return start, end + timedelta(days=1)
