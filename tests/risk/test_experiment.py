"""The challenger experiment's assignment (services/risk/adapters/experiment.py) over flagd's real evaluator: the
variant's version, the same one for a payment every time, and production when the flag file names no valid version
or cannot be read."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from fintech.risk.v1 import transaction_pb2 as txn

from services.risk.adapters.experiment import FlagExperiment
from services.risk.app.ports import ModelAssignment
from services.runtime.flags import Flags
from services.runtime.flags_settings import FlagSettings
from tests.runtime.flag_files import challenger_share, write


def experiment(path: Path) -> FlagExperiment:
    flags = Flags(FlagSettings(path=path, poll_interval_seconds=0.05, startup_wait_seconds=0.5), f"t-{uuid.uuid4()}")
    asyncio.run(flags.start())
    return FlagExperiment(flags)


def payment() -> txn.Transaction:
    return txn.Transaction(payment_id=str(uuid.uuid4()), customer_id=str(uuid.uuid4()))


def test_the_variant_names_the_version_and_a_payment_keeps_its_variant(tmp_path: Path) -> None:
    path = tmp_path / "flags.flagd.json"
    write(path, challenger_share(50))
    e = experiment(path)
    payments = [payment() for _ in range(400)]
    assigned = [e.assign(t) for t in payments]
    assert set(assigned) == {ModelAssignment("production", ""), ModelAssignment("challenger", "2")}
    assert [e.assign(t) for t in payments] == assigned  # a retry of a payment: the same variant


def test_a_flag_naming_no_valid_version_or_no_file_gives_production(tmp_path: Path) -> None:
    path = tmp_path / "flags.flagd.json"
    document = challenger_share(100)
    document["flags"]["fraud-challenger-share"]["variants"]["challenger"] = "v2; drop table"
    write(path, document)
    assert experiment(path).assign(payment()) == ModelAssignment("default", "")
    assert experiment(tmp_path / "absent.json").assign(payment()) == ModelAssignment("default", "")
