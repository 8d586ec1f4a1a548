"""Errors are logged and dead-lettered without their messages: a database error's text holds the bound values
of its statement and the row a constraint refused, which are personal data."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.observability import configure_logging, safe_error, safe_stack

NAME = "Hannelore Quappendorf-Privat"


@pytest.mark.mesh("postgres")
async def test_a_database_error_is_rendered_without_bound_values_or_the_refused_row(settings: Settings):
    schema = f"privacy_{uuid.uuid4().hex[:8]}"
    database = Database.for_service("risk", settings, schema=schema)
    try:
        async with database.transaction() as session:
            await session.execute(text(f"CREATE SCHEMA {schema}"))
            await session.execute(text(f"CREATE TABLE {schema}.people (name text PRIMARY KEY)"))
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO people VALUES (:name)"), {"name": NAME})
        with pytest.raises(IntegrityError) as raised:
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO people VALUES (:name)"), {"name": NAME})
    finally:
        await database.dispose()
    error = raised.value
    assert NAME not in str(error) and "parameters hidden" in str(error)  # hide_parameters
    driver = error.orig.__cause__
    assert NAME in driver.detail  # the driver's error still quotes the refused row: why safe_error exists
    rendered = safe_error(error)
    assert NAME not in rendered and "Hannelore" not in rendered
    assert rendered.startswith("sqlalchemy.exc.IntegrityError(")
    assert "sqlstate=23505" in rendered and "constraint_name=people_pkey" in rendered
    assert "tests/privacy/test_safe_errors.py" in rendered  # where it was raised
    assert not any("Hannelore" in line for line in safe_stack(error))
    # Nor does the database server's own log quote it (log_error_verbosity=terse: no DETAIL line).
    server_log = (settings.state_dir / "log" / "postgres.log").read_text()
    assert "duplicate key value violates unique constraint" in server_log and "Hannelore" not in server_log


def test_log_exception_renders_the_stack_without_messages(capsys):
    configure_logging("privacy-test")
    log = structlog.get_logger("privacy")
    try:
        try:
            raise KeyError(NAME)
        except KeyError as inner:
            raise ValueError(f"cannot register {NAME}") from inner
    except ValueError:
        log.exception("registration failed")
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "Hannelore" not in line
    entry = json.loads(line)
    assert entry["error"].startswith("ValueError at tests/privacy/test_safe_errors.py:")
    assert any(frame.startswith("KeyError at ") for frame in entry["frames"])


def test_standard_library_log_lines_render_exceptions_without_messages():
    import logging

    from services.runtime.observability import SafeFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter(logging.BASIC_FORMAT))
    logger = logging.getLogger("privacy.stdlib")
    logger.addHandler(handler)
    try:
        raise RuntimeError(f"no such customer {NAME}")
    except RuntimeError:
        logger.error("lookup failed", exc_info=True)
    logger.removeHandler(handler)
    assert "lookup failed" in stream.getvalue() and "RuntimeError at " in stream.getvalue()
    assert "Hannelore" not in stream.getvalue()
