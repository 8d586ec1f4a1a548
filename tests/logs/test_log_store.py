"""Logs at every hop reach VictoriaLogs through rsyslog, one request id finds them, and no body gets there.

A payment made through the edge by a customer whose name is planted for the test (unique per run): the request id
the edge answers with finds the edge's access line, the calls payments and risk handled and the payment's events
that customer applied (through Kafka) in VictoriaLogs (LogsQL over its HTTP API); the planted name, e-mail and
street, and the payment's remittance text that names them, are in no entry of the store.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_pb2
from rich.console import Console

from services.runtime.config import Settings
from tests.edge.rest import request
from tools.demo.actors import Person, eur
from tools.demo.narration import Narrator
from tools.demo.scenario import INITIATE, Onboarded, Scenario
from tools.edge.mint import mint
from tools.edge.rest import http_request
from tools.log_store import query, quoted, request_lines
from tools.mesh import Mesh

SERVICES = ("envoy", "payments", "customer", "risk")
PATIENCE = 30.0  # seconds for rsyslog to ship what the services wrote (it follows the files by inotify)

COMPONENTS = ("envoy", "victorialogs", "rsyslog")  # the edge needs every service
pytestmark = pytest.mark.mesh(*COMPONENTS)


@pytest.fixture(scope="module")
def planted() -> Person:
    """A customer no other test has: a family name and street that appear nowhere unless something logs them."""
    run = "".join(chr(ord("a") + b % 26) for b in uuid.uuid4().bytes[:8])
    return Person("Erika", f"Quillfeather{run}", (1984, 3, 9), "Köln", f"Ringstraße {run} 4", "50667")


@pytest.fixture(scope="module")
def payment(settings: Settings, mesh: Mesh, planted: Person) -> tuple[str, float, Onboarded]:
    """(the request id the edge answered with, when the payment started, its debtor)."""
    mesh.up(*COMPONENTS)  # module fixtures run before the marker's
    scenario = Scenario(settings, Narrator(Console(file=io.StringIO())))
    # The payee too is new to the session's directory (the demo's Bob would be a duplicate, state being kept).
    payee = Person("Bob", f"Payee{planted.family_name}", (1979, 11, 2), "Bonn", "Poppelsdorfer Allee 40", "53115")
    scenario.onboard(planted, payee)
    erika, bob = scenario.customers[planted.name], scenario.customers[payee.name]
    scenario.open_accounts(erika, bob)
    started = time.time()
    body = initiation.InitiatePaymentRequest(
        idempotency_key=str(uuid.uuid4()),
        debtor_account_id=erika.accounts["EUR"],
        creditor_account_id=bob.accounts["EUR"],
        amount=eur(4_200),
        remittance_information=f"Rent {planted.name}, {planted.street}",
        channel=payment_pb2.PAYMENT_CHANNEL_MOBILE_APP,
    )
    verb, path, json_body = http_request(INITIATE, body)
    token = mint(settings, "customer", customer_id=erika.customer_id)
    url = f"http://127.0.0.1:{settings.envoy.rest_port}{path}"
    reply = request(url, verb, token=token, body=json.dumps(json_body).encode())
    assert reply.status == 200, reply.body
    return reply.headers["x-request-id"], started, erika


def _lines_by_program(settings: Settings, request_id: str) -> dict[str, list[dict[str, Any]]]:
    deadline = time.monotonic() + PATIENCE
    while True:
        found: dict[str, list[dict[str, Any]]] = {}
        for line in request_lines(settings, request_id):
            found.setdefault(line["program"], []).append(line)
        if set(SERVICES) <= set(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_one_request_id_finds_the_payment_at_the_edge_and_in_three_services(settings: Settings, payment):
    request_id, _, _ = payment
    found = _lines_by_program(settings, request_id)

    assert set(SERVICES) <= set(found), f"lines of {request_id} by program: { {p: len(v) for p, v in found.items()} }"
    [access] = found["envoy"]
    assert access["_msg"] == "access" and access["path"] == "/v1/payments" and access["status"] == "200"
    assert access["grpc_status"] == "OK" and access["upstream"] == "payments"
    handled = {line.get("method", "").rsplit("/", 1)[-1] for lines in found.values() for line in lines}
    assert {"InitiatePayment", "ScreenTransaction"} <= handled
    # Through Kafka too: customer applies the payment's events under the request id that caused them.
    applied = " ".join(line["event_types"] for line in found["customer"] if line["_msg"] == "events.applied")
    assert "PaymentInitiated" in applied, found["customer"]
    # rsyslog mapped the JSON lines: the event is the message, the line's own timestamp the time, program a stream.
    [initiated] = [line for line in found["payments"] if line.get("method", "").endswith("/InitiatePayment")]
    assert initiated["_msg"] == "rpc" and initiated["code"] == "OK" and initiated["service"] == "payments"
    assert initiated["_stream"] == '{program="payments"}'
    assert initiated["_time"] >= access["_time"]  # the edge logs when the request started, payments when it ended


def test_plain_lines_are_shipped_with_their_program(settings: Settings, payment):
    """Lines that are not JSON (Kafka's log4j lines) are there too, as they were written."""
    request_id, _, _ = payment
    _lines_by_program(settings, request_id)
    [line] = query(settings, "program:=kafka", limit=1)
    assert line["_msg"].startswith("[") and line["_stream"] == '{program="kafka"}'


def test_no_body_reaches_the_store_neither_the_customers_name_nor_the_remittance(
    settings: Settings, payment, planted: Person
):
    request_id, started, erika = payment
    # Everything the services wrote up to the payment's last line is shipped once its lines are in the store.
    assert set(SERVICES) <= set(_lines_by_program(settings, request_id))
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started - 120))
    entries = query(settings, f"_time:>={since}", limit=1_000_000)
    text = json.dumps(entries, ensure_ascii=False)

    assert request_id in text and erika.customer_id in text  # the search sees what is logged: ids
    for value in (planted.family_name, planted.street, f"{planted.given_names.lower()}.{planted.family_name.lower()}"):
        for form in (value, value.lower(), json.dumps(value)[1:-1]):
            assert form not in text, f"{value!r} is in the log store"


def test_a_customers_name_is_found_by_no_logsql_query(settings: Settings, payment, planted: Person):
    """The same, asked as an SRE would: a word search of every message and a field search come back empty."""
    request_id, _, _ = payment
    _lines_by_program(settings, request_id)
    assert query(settings, f"_time:1h {quoted(planted.family_name)}") == []
    assert query(settings, f"_time:1h * | filter family_name:{quoted(planted.family_name)}") == []
    assert query(settings, f"_time:1h request_id:={quoted(request_id)}") != []


def test_a_line_whose_time_the_store_cannot_parse_is_shipped_and_does_not_hold_up_the_lines_after_it(
    settings: Settings, mesh: Mesh
):
    """The standard library's "2026-12-07 00:23:40,367" as `time`: VictoriaLogs refuses a whole bulk request over
    such a _time, and rsyslog would retry that request for ever. It is kept as a field; _time is when it was read."""
    mesh.up("victorialogs", "rsyslog")
    probe = uuid.uuid4().hex
    log = settings.state_dir / "log" / "time-probe.log"
    with log.open("a") as file:
        file.write(json.dumps({"time": "2026-12-07 00:23:40,367", "msg": "stdlib", "probe": probe}) + "\n")
        file.write(json.dumps({"timestamp": "2026-12-07T00:23:41.5Z", "event": "iso", "probe": probe}) + "\n")
    deadline = time.monotonic() + PATIENCE
    while len(found := query(settings, f"_time:1d probe:={quoted(probe)}")) < 2 and time.monotonic() < deadline:
        time.sleep(1)
    assert sorted(entry["_msg"] for entry in found) == ["iso", "stdlib"], found
    (stdlib,) = [entry for entry in found if entry["_msg"] == "stdlib"]
    assert stdlib["time"] == "2026-12-07 00:23:40,367"
