"""The contract checks themselves: lint is clean, and the stale-code and breaking checks can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contracts.conftest import DESCRIPTOR_SET, ROOT
from tools.breaking import breaking_changes
from tools.gen import DEPS
from tools.proto_deps import copy_deps

BUF = Path(sys.executable).parent / "buf"
MONEY = Path("fintech/common/v1/money.proto")


def _gen_check(proto_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.gen", "--check", "--proto", str(proto_root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def proto_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "proto"
    shutil.copytree(ROOT / "proto", copy)
    return copy


def test_buf_lint_is_clean():
    # buf.yaml names build/proto-deps as a module: fill it here so the test needs no earlier make target.
    copy_deps(DEPS)
    result = subprocess.run([BUF, "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_is_fresh():
    result = _gen_check(ROOT / "proto")
    assert result.returncode == 0, result.stderr


def test_stale_check_fails_when_a_proto_changes_without_gen(proto_copy: Path):
    money = proto_copy / MONEY
    money.write_text(money.read_text().replace("string currency_code = 2", "string currency = 2"))
    result = _gen_check(proto_copy)
    assert result.returncode == 1
    assert "changed: python/fintech/common/v1/money_pb2.py" in result.stderr
    assert "changed: descriptors/fintech.binpb" in result.stderr


def test_breaking_check_passes_an_additive_change(proto_copy: Path):
    money = proto_copy / MONEY
    money.write_text(
        money.read_text().replace("message Money {", "message Money {\n  // A new optional note.\n  string note = 3;\n")
    )
    result = breaking_changes(proto_copy, DESCRIPTOR_SET)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("before", "after", "complaint"),
    [
        ("int64 amount_minor = 1;", "int32 amount_minor = 1;", 'changed type from "int64" to "int32"'),
        # WIRE_JSON guards the JSON names the REST edge exposes, not only the wire.
        ("string currency_code = 2", "string currency = 2", "changed name"),
    ],
)
def test_breaking_check_catches_incompatible_changes(proto_copy: Path, before: str, after: str, complaint: str):
    money = proto_copy / MONEY
    money.write_text(money.read_text().replace(before, after))
    result = breaking_changes(proto_copy, DESCRIPTOR_SET)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr
