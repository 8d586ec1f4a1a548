"""The ml service validates with errors, never with `assert` (stripped under `python -O`, and an AssertionError
is INTERNAL, not INVALID_ARGUMENT)."""

from __future__ import annotations

import ast
import base64
from pathlib import Path

import pytest

import services.ml
from services.ml import keys

ML = Path(services.ml.__file__).parent


def test_no_assert_in_the_ml_service():
    asserts = [
        f"{path.relative_to(ML)}:{node.lineno}"
        for path in sorted(ML.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert asserts == []


def test_page_token_key_from_the_environment_or_generated_once(tmp_path, monkeypatch):
    class Where:
        state_dir = tmp_path

    monkeypatch.delenv(keys.VARIABLE, raising=False)
    generated = keys.page_token_key(Where())
    assert len(generated) == 32 and keys.page_token_key(Where()) == generated
    assert (tmp_path / "keys" / "ml-page-token.key").stat().st_mode & 0o777 == 0o600
    configured = bytes(range(32))
    monkeypatch.setenv(keys.VARIABLE, base64.b64encode(configured).decode())
    assert keys.page_token_key(Where()) == configured
    monkeypatch.setenv(keys.VARIABLE, base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match=keys.VARIABLE):
        keys.page_token_key(Where())
