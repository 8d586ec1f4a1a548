"""The exchange's use cases over an in-memory folder and payments (unit tests of their logic; the real object
store and payments are in test_file_exchange.py): a file leaves inbound/ only once every transaction has an
outcome, a repeated round pays with the same keys, an invalid file is answered and moved, statements are written
once per closed day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from fintech.payments.v1 import payment_pb2 as p

from libs.iso20022 import camt053
from libs.iso20022.pain001 import CreditTransfer
from libs.iso20022.reasons import Reason
from libs.iso20022.schema import Message, validate
from services.lake.app import inbound_files
from services.lake.app.inbound_files import Folders, InboundFiles
from services.lake.app.statements import DONE, Statements
from services.lake.domain import file_outcomes
from services.lake.domain.file_outcomes import Accepted, NoOutcomeYet, Outcome, Refused
from tests.exchange.files import Block, Tx, pain001

DEBTOR, CREDITOR = uuid.uuid4(), uuid.uuid4()
CUSTOMER, OTHER_CUSTOMER = str(uuid.uuid4()), str(uuid.uuid4())
INBOUND = f"exchange/inbound/{CUSTOMER}/"


class Folder:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    async def keys(self, prefix: str) -> list[str]:
        return sorted(key for key in self.objects if key.startswith(prefix))

    async def read(self, key: str) -> bytes:
        return self.objects[key]

    async def write(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    async def size(self, key: str) -> int:
        return len(self.objects[key])

    async def exists(self, key: str) -> bool:
        return key in self.objects

    async def move(self, key: str, to: str) -> None:
        self.objects[to] = self.objects.pop(key)


class Payments:
    """Pays once per key; refuses amounts of 666 cents for insufficient funds; can be made unavailable."""

    def __init__(self) -> None:
        self.paid: dict[str, CreditTransfer] = {}
        self.calls = 0
        self.available_calls: int | None = None

    async def account_owner(self, account_id: str) -> str | None:
        return CUSTOMER if account_id == str(DEBTOR) else OTHER_CUSTOMER

    async def initiate(self, transfer: CreditTransfer, key: str) -> Outcome:
        self.calls += 1
        if self.available_calls is not None:
            if self.available_calls == 0:
                raise NoOutcomeYet("UNAVAILABLE")
            self.available_calls -= 1
        if transfer.amount_minor == 666:
            return file_outcomes.of_error("FAILED_PRECONDITION", "INSUFFICIENT_FUNDS", [])
        self.paid.setdefault(key, transfer)
        return Accepted(key, "PAYMENT_STATE_EXECUTED")


def _file(msg_id: str = "MSG-1") -> bytes:
    txs = [Tx(f"E2E-{n}", "1.00", creditor_account=CREDITOR.hex) for n in range(3)] + [
        Tx("E2E-poor", "6.66", creditor_account=CREDITOR.hex)
    ]
    return pain001(msg_id, [Block("PMT-1", DEBTOR.hex, txs)])


async def test_a_file_is_paid_answered_and_moved() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects[INBOUND + "a.xml"] = _file()
    (key,) = await files.pending()
    result = await files.process(key)
    assert (result.accepted, result.rejected, result.group_status) == (3, 1, "PART")
    assert len(payments.paid) == 3
    assert await folder.keys("exchange/inbound/") == []
    assert result.processed_key.startswith("exchange/processed/") and result.processed_key in folder.objects
    report = validate(Message.PAIN_002, folder.objects[result.report_key]).root
    ns = {"d": Message.PAIN_002.namespace}
    assert [e.text for e in report.findall(".//d:TxInfAndSts/d:OrgnlEndToEndId", ns)] == ["E2E-poor"]
    assert [e.text for e in report.findall(".//d:TxInfAndSts//d:Rsn/d:Cd", ns)] == [Reason.INSUFFICIENT_FUNDS.value]


async def test_a_round_that_loses_payments_midway_leaves_the_file_and_the_next_pays_the_rest_once() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects[INBOUND + "a.xml"] = _file()
    payments.available_calls = 2
    with pytest.raises(NoOutcomeYet):
        await files.process(INBOUND + "a.xml")
    assert await files.pending() == [INBOUND + "a.xml"] and await folder.keys("exchange/reports/") == []
    payments.available_calls = None
    result = await files.process(INBOUND + "a.xml")
    assert result.accepted == 3 and len(payments.paid) == 3  # the first two again, with their keys: no new payment


async def test_the_same_file_twice_pays_once() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    for name in ("a.xml", "a-again.xml"):
        folder.objects[INBOUND + name] = _file()
        await files.process(INBOUND + name)
    assert len(payments.paid) == 3 and len(await folder.keys("exchange/reports/")) == 2


async def test_an_invalid_file_is_rejected_whole_and_moved() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects[INBOUND + "bad.xml"] = b"<Document>not a payment"
    result = await files.process(INBOUND + "bad.xml")
    assert result.group_status == "RJCT" and payments.calls == 0
    assert await files.pending() == [] and result.processed_key in folder.objects


async def test_a_file_too_large_is_rejected_whole_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects[INBOUND + "huge.xml"] = _file()
    monkeypatch.setattr(inbound_files, "MAX_FILE_BYTES", 100)
    result = await files.process(INBOUND + "huge.xml")
    assert result.group_status == "RJCT" and payments.calls == 0 and await files.pending() == []
    report = validate(Message.PAIN_002, folder.objects[result.report_key]).root
    texts = report.findall(".//d:OrgnlGrpInfAndSts/d:StsRsnInf/d:AddtlInf", {"d": Message.PAIN_002.namespace})
    assert [t.text for t in texts] == ["file larger than 100 bytes"]


async def test_a_file_pays_only_from_its_senders_accounts() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects[f"exchange/inbound/{OTHER_CUSTOMER}/a.xml"] = _file()
    result = await files.process(f"exchange/inbound/{OTHER_CUSTOMER}/a.xml")
    assert (result.accepted, result.rejected, result.group_status) == (0, 4, "RJCT") and payments.paid == {}
    report = validate(Message.PAIN_002, folder.objects[result.report_key]).root
    codes = report.findall(".//d:TxInfAndSts//d:Rsn/d:Cd", {"d": Message.PAIN_002.namespace})
    assert {code.text for code in codes} == {Reason.ACCOUNT_UNKNOWN.value}


async def test_a_file_outside_a_customers_folder_is_rejected_whole() -> None:
    folder, payments = Folder(), Payments()
    files = InboundFiles(folder, payments, Folders())
    folder.objects["exchange/inbound/a.xml"] = _file()
    result = await files.process("exchange/inbound/a.xml")
    assert result.group_status == "RJCT" and payments.calls == 0 and await files.pending() == []


def test_outcomes_of_payments_answers() -> None:
    executed = p.Payment(payment_id="x", state=p.PAYMENT_STATE_EXECUTED)
    declined = p.Payment(payment_id="y", state=p.PAYMENT_STATE_REJECTED,
                         rejection_reason=p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED)  # fmt: skip
    assert file_outcomes.of_payment(executed) == Accepted("x", "PAYMENT_STATE_EXECUTED")
    assert file_outcomes.of_payment(declined) == Refused(Reason.FRAUD, "declined by fraud screening")
    assert file_outcomes.of_error("NOT_FOUND", "RESOURCE_NOT_FOUND", []).reason == Reason.ACCOUNT_UNKNOWN
    assert file_outcomes.of_error("FAILED_PRECONDITION", "CUSTOMER_NOT_VERIFIED", []).reason == Reason.REGULATORY
    invalid = file_outcomes.of_error("INVALID_ARGUMENT", "FIELD_VIOLATION", ["amount.currency_code"])
    assert invalid == Refused(Reason.NARRATIVE, "invalid: amount.currency_code")
    for code in ("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED"):
        with pytest.raises(NoOutcomeYet):
            file_outcomes.of_error(code, "", [])


class History:
    def __init__(self, days: set[date]) -> None:
        self.days = days
        self.asked: list[date] = []

    async def statements(self, day: date, account_id: str | None = None) -> list[camt053.Statement]:
        self.asked.append(day)
        if day not in self.days:
            return []
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        entry = camt053.Entry(str(uuid.uuid4()), 1, True, 500, 500, at)
        return [camt053.Statement(account_id or str(DEBTOR), "EUR", day, [entry])]


async def test_statements_of_each_closed_day_once() -> None:
    folder, history = Folder(), History({date(2026, 12, 5)})
    now = datetime(2026, 12, 7, 0, 5, tzinfo=UTC)  # 5 minutes into the 7th: the 6th is not yet closed (delay 10)
    statements = Statements(folder, history, Folders(), delay=timedelta(minutes=10), lookback_days=2,
                            clock=lambda: now)  # fmt: skip
    assert await statements.due() == [date(2026, 12, 4), date(2026, 12, 5)]
    for day in await statements.due():
        await statements.write_day(day)
    assert await statements.due() == []
    written = await folder.keys("exchange/outbound/camt053/")
    assert written == sorted([
        f"exchange/outbound/camt053/2026-12-04/{DONE}",
        f"exchange/outbound/camt053/2026-12-05/{DEBTOR}.xml",
        f"exchange/outbound/camt053/2026-12-05/{DONE}",
    ])  # fmt: skip
    validate(Message.CAMT_053, folder.objects[f"exchange/outbound/camt053/2026-12-05/{DEBTOR}.xml"])


async def test_a_statement_on_demand() -> None:
    folder = Folder()
    statements = Statements(folder, History({date(2026, 12, 7)}), Folders())
    one = await statements.for_account(str(CREDITOR), date(2026, 12, 7))
    assert one is not None and one.key == f"exchange/outbound/camt053/2026-12-07/{CREDITOR}.xml"
    assert await statements.for_account(str(CREDITOR), date(2026, 12, 6)) is None
