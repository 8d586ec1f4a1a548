"""A handler's error that quotes personal data reaches neither the dead-letter record's headers nor the logs:
they carry the error's class and where it was raised (services.runtime.observability.safe_error)."""

from __future__ import annotations

import pytest

from services.runtime import consumer as consumer_module
from services.runtime import kafka, outbox
from services.runtime.backoff import Backoff
from services.runtime.consumer import EventConsumer
from services.runtime.observability import configure_logging
from tests.runtime.events_support import create_topics, envelope, read_topic, sample_database, unique

pytestmark = pytest.mark.mesh("postgres", "kafka")
NAME = "Hannelore Quappendorf-Privat"


class Refuses(EventConsumer):
    async def handle(self, session, envelope, event):
        raise ValueError(f"no customer named {NAME} with e-mail hannelore@example.com")


async def test_the_dead_letter_headers_and_logs_name_the_error_not_its_message(capsys):
    configure_logging("privacy-test")
    topic = unique("privacy.poison")
    dlq = kafka.dlq_topic(topic)
    await create_topics(topic, dlq)
    producer = kafka.make_producer("privacy-tests")
    await producer.start()
    try:
        event = envelope("subject-1")
        await producer.send_and_wait(topic, value=event.SerializeToString(), key=b"subject-1",
                                     headers=kafka.encode_headers(outbox.record_headers(event)))  # fmt: skip
    finally:
        await producer.stop()
    async with sample_database() as database:
        refuses = Refuses(database, group_id=unique("privacy"), topics=[topic], max_attempts=2,
                          retry_backoff=Backoff(initial=0.05, maximum=0.1))  # fmt: skip
        await refuses.start()
        try:
            (dead,) = await read_topic(dlq, until=lambda records: len(records) >= 1)
        finally:
            await refuses.stop()
    headers = {name: kafka.header(dead.headers, name) for name, _ in dead.headers}
    assert headers[consumer_module.DLQ_ERROR_CLASS] == "builtins.ValueError"
    message = headers[consumer_module.DLQ_ERROR_MESSAGE]
    assert message.startswith("ValueError at tests/privacy/test_dead_letter_headers.py:") and "in handle" in message
    assert "Hannelore" not in repr(dead.headers) and "hannelore" not in repr(dead.headers)
    logged = capsys.readouterr().out
    assert "event handler failed" in logged and "event dead-lettered" in logged
    assert "Hannelore" not in logged and "hannelore" not in logged
