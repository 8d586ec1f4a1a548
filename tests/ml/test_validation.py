"""The ml service validates with errors, never with `assert` (stripped under `python -O`, and an AssertionError
is INTERNAL, not INVALID_ARGUMENT)."""

from __future__ import annotations

import ast
from pathlib import Path

import services.ml

ML = Path(services.ml.__file__).parent


def test_no_assert_in_the_ml_service():
    asserts = [
        f"{path.relative_to(ML)}:{node.lineno}"
        for path in sorted(ML.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assert)
    ]
    assert asserts == []
